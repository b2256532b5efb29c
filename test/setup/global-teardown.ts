/** Stops the embedded PostgreSQL that global-setup.ts started, if it did. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.localPostgres?.stop();
}
