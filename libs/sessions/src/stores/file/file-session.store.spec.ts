import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionsConfigurationError } from '../../errors/sessions-configuration.error.js';
import { FileSessionStore } from './file-session.store.js';
import { sessionWrite } from '../../testing/session-store-contract.js';

const posix = process.getuid !== undefined;
const inAnHour = (): Date => new Date(Date.now() + 3_600_000);
const anHourAgo = (): Date => new Date(Date.now() - 3_600_000);

/** Every file under `folder`, as paths relative to it. */
async function tree(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true });
  return entries.sort();
}

describe('FileSessionStore', () => {
  let root: string;
  let folder: string;
  let store: FileSessionStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nest-sessions-file-'));
    folder = join(root, 'sessions');
    store = new FileSessionStore({ path: folder });
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('makes its folder for this user alone, one file per session readable by this user alone, and leaves no temporary file', async () => {
    const key = await store.create(sessionWrite({ a: 1 }));
    await store.save(key, sessionWrite({ a: 1, b: 2 }, { set: { b: 2 } }));

    expect(await tree(folder)).toEqual([`session-${key}`]);
    expect(
      JSON.parse(await readFile(join(folder, `session-${key}`), 'utf8')),
    ).toEqual({ a: 1, b: 2 });
    if (posix) {
      expect((await stat(folder)).mode & 0o777).toBe(0o700);
      expect((await stat(join(folder, `session-${key}`))).mode & 0o777).toBe(
        0o600,
      );
    }
  });

  it('keeps every change of many concurrent saves of one session', async () => {
    const key = await store.create(sessionWrite({ start: true }));

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.save(
          key,
          sessionWrite(
            { start: true, [`k${i}`]: i },
            { set: { [`k${i}`]: i } },
          ),
        ),
      ),
    );

    const data = await store.load(key);
    expect(Object.keys(data!)).toHaveLength(21);
  });

  describe('keys that name no file of the folder', () => {
    const outside = (): string => join(root, 'outside.json');

    beforeEach(async () => {
      await mkdir(folder);
      await writeFile(outside(), '{"stolen":true}');
      await utimes(outside(), new Date(), inAnHour());
    });

    it.each([
      '../outside.json',
      '../../outside.json',
      '/etc/passwd',
      'abcdefgh/../../outside.json',
      'abcdefgh\u0000ijkl',
      '..%2F..%2Foutside.json',
      'a'.repeat(41),
      'ABCDEFGHIJKL',
    ])(
      '%j: loads, saves and deletes nothing, and writes nowhere',
      async (key) => {
        const before = await tree(root);

        expect(await store.load(key)).toBeNull();
        expect(await store.exists(key)).toBe(false);
        expect(await store.save(key, sessionWrite({ x: 1 }))).toBeNull();
        expect(await store.delete(key)).toBe(false);
        expect(await store.deleteIfEmpty(key)).toBe(false);

        expect(await tree(root)).toEqual(before);
        expect(await readFile(outside(), 'utf8')).toBe('{"stolen":true}');
      },
    );

    it('does not read a file named after a key too long to accept', async () => {
      const key = 'a'.repeat(41);
      const file = join(folder, `session-${key}`);
      await writeFile(file, '{"planted":true}');
      await utimes(file, new Date(), inAnHour());

      expect(await store.load(key)).toBeNull();
    });

    it('does not follow a session file that is a symbolic link', async () => {
      const key = 'linkedkey0123456789abcdefghijklm';
      await symlink(outside(), join(folder, `session-${key}`));

      expect(await store.load(key)).toBeNull();
      expect(await store.exists(key)).toBe(false);
      expect(await store.save(key, sessionWrite({ x: 1 }))).toBeNull();
      expect(await store.deleteIfEmpty(key)).toBe(false);
      expect(await readFile(outside(), 'utf8')).toBe('{"stolen":true}');
    });
  });

  describe('clearExpired()', () => {
    it('removes expired sessions and temporary files a crash left, and nothing else', async () => {
      const live = await store.create(sessionWrite({ live: true }));
      const expired = await store.create(
        sessionWrite({ old: true }, { expiry: anHourAgo() }),
      );
      const staleTemp = join(folder, '.tmp-left-by-a-crash');
      const freshTemp = join(folder, '.tmp-being-written');
      const other = join(folder, 'README');
      for (const file of [staleTemp, freshTemp, other]) {
        await writeFile(file, '{}');
      }
      await utimes(
        staleTemp,
        new Date(Date.now() - 2 * 3_600_000),
        anHourAgo(),
      );
      await utimes(other, anHourAgo(), anHourAgo());

      expect(await store.clearExpired()).toBe(1);

      expect(await tree(folder)).toEqual(
        ['.tmp-being-written', 'README', `session-${live}`].sort(),
      );
      expect(await store.load(live)).toEqual({ live: true });
      expect(await store.load(expired)).toBeNull();
    });
  });

  describe('its folder', () => {
    (posix ? it : it.skip)(
      'is refused when other users may write in it, with what to do',
      async () => {
        await mkdir(folder);
        await chmod(folder, 0o777);

        const failure = store.load('abcdefgh12345678');

        await expect(failure).rejects.toThrow(SessionsConfigurationError);
        await expect(failure).rejects.toThrow(/chmod 700/);
        await chmod(folder, 0o700);
        expect(await store.load('abcdefgh12345678')).toBeNull();
      },
    );

    it('is refused when it is a file', async () => {
      await writeFile(join(root, 'a-file'), '');
      const onFile = new FileSessionStore({ path: join(root, 'a-file') });

      await expect(onFile.onModuleInit()).rejects.toThrow(
        SessionsConfigurationError,
      );
      await expect(onFile.onModuleInit()).rejects.toThrow(
        /is a file, not a folder/,
      );
    });
  });
});
