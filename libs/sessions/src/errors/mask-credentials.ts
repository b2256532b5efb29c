/**
 * `text` with the user and password of any URL in it masked
 * (`redis://user:secret@host` becomes `redis://***@host`), for messages
 * that quote a URL or a driver's error.
 */
export function maskCredentials(text: string): string {
  return text.replace(/\/\/[^/\s@]*@/g, '//***@');
}
