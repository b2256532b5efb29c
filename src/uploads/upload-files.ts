import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The largest file a visitor may upload. */
export const MAX_UPLOAD_BYTES = 1024 * 1024;

/** A type the demo accepts, recognised by the file's first bytes. */
export interface UploadType {
  readonly contentType: string;
  readonly extension: string;
}

const SIGNATURES: readonly (UploadType & { magic: Buffer })[] = [
  {
    magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    contentType: 'image/png',
    extension: 'png',
  },
  {
    magic: Buffer.from([0xff, 0xd8, 0xff]),
    contentType: 'image/jpeg',
    extension: 'jpg',
  },
  {
    magic: Buffer.from('%PDF-'),
    contentType: 'application/pdf',
    extension: 'pdf',
  },
];

const TEXT: UploadType = {
  contentType: 'text/plain; charset=utf-8',
  extension: 'txt',
};

/**
 * What the bytes are, whatever the browser claimed: PNG, JPEG, PDF or UTF-8
 * text; undefined for anything else.
 */
export function sniffUploadType(bytes: Buffer): UploadType | undefined {
  const signed = SIGNATURES.find(({ magic }) =>
    bytes.subarray(0, magic.length).equals(magic),
  );
  if (signed) {
    return signed;
  }
  if (bytes.includes(0)) {
    return undefined;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return TEXT;
  } catch {
    return undefined;
  }
}

/** The file extension of a type `sniffUploadType()` gave. */
export function extensionOf(contentType: string): string {
  return (
    [...SIGNATURES, TEXT].find((type) => type.contentType === contentType)
      ?.extension ?? 'bin'
  );
}

/**
 * The name the browser gave, fit to show: its last path segment, without
 * control characters, at most 100 characters. Never used on disk.
 */
export function displayName(original: string): string {
  const base = original.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean.slice(0, 100) || 'unnamed';
}

/**
 * The folder of a session's files under `root`: named by a hash of the
 * key, so that neither a path nor a log line carries a session key.
 */
export function sessionFolder(root: string, sessionKey: string): string {
  const name = createHash('sha256').update(sessionKey).digest('hex');
  return join(root, name.slice(0, 32));
}

/** `Content-Disposition` for downloading `name` (RFC 6266, with an ASCII fallback). */
export function attachmentDisposition(name: string, extension: string): string {
  const withExtension = name.toLowerCase().endsWith(`.${extension}`)
    ? name
    : `${name}.${extension}`;
  const ascii = withExtension.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(withExtension).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
