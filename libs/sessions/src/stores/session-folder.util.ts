import { mkdir, realpath, stat } from 'node:fs/promises';
import { SessionsConfigurationError } from '../errors/sessions-configuration.error.js';

/**
 * Makes the `'file'` store's folder if it is missing (readable by this user
 * only), and returns its real path (symbolic links resolved once, so they
 * cannot be switched under the store later). Throws
 * `SessionsConfigurationError` if it cannot be made or is a file, or, on POSIX
 * systems, if it belongs to another user or others may write in it: whoever
 * can write there can plant a session file and forge a session.
 */
export async function prepareSessionFolder(path: string): Promise<string> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new SessionsConfigurationError([
      code === 'EEXIST' || code === 'ENOTDIR'
        ? `the 'file' store's path ${path} is a file, not a folder: set 'fileStore.path' to a folder.`
        : `the 'file' store cannot make its folder ${path} (${message}): ` +
          `set 'fileStore.path' to a folder this user may write in.`,
    ]);
  }
  const real = await realpath(path);
  const stats = await stat(real);
  const problems: string[] = [];
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    problems.push(
      `the 'file' store's folder ${path} belongs to another user (uid ${stats.uid}, this process runs as ${uid}), ` +
        `who could read and forge sessions: set 'fileStore.path' to a folder of this user's.`,
    );
  }
  if (uid !== undefined && (stats.mode & 0o022) !== 0) {
    problems.push(
      `other users may write in the 'file' store's folder ${path} (mode ${(stats.mode & 0o777).toString(8)}), ` +
        `and so forge sessions: run \`chmod 700 ${path}\`, or set 'fileStore.path' to a folder of this user's alone.`,
    );
  }
  if (problems.length > 0) {
    throw new SessionsConfigurationError(problems);
  }
  return real;
}
