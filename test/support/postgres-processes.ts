import { readdir, readFile } from 'node:fs/promises';

/** Command lines of the processes that run a PostgreSQL on `dir`. */
export async function postgresOn(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(
      () => '',
    );
    if (cmdline.includes('postgres') && cmdline.includes(dir)) {
      found.push(cmdline.replaceAll('\0', ' '));
    }
  }
  return found;
}
