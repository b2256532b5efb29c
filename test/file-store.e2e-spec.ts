import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CleanupService,
  SessionsConfigurationError,
  SessionsModule,
} from 'nest-sessions';
import type { INestApplication } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  createTestApp,
  HTTP_ADAPTERS,
  type HttpAdapterName,
  sessionKeyFrom,
} from './support/test-app.js';
import { silentLogger } from './support/sessions-testing-module.js';
import { TestDatabase } from './support/test-database.js';

const KEY = /^[a-z0-9]{32}$/;

/** Every file under `folder`, as sorted paths relative to it. */
async function tree(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true });
  return entries.sort();
}

describe.each(HTTP_ADAPTERS)(
  "The 'file' store over HTTP (%s)",
  (adapter: HttpAdapterName) => {
    let database: TestDatabase;
    let root: string;
    let folder: string;
    let app: INestApplication;

    beforeAll(async () => {
      database = await TestDatabase.create();
      root = await mkdtemp(join(tmpdir(), 'nest-sessions-file-e2e-'));
      folder = join(root, 'sessions');
      await writeFile(join(root, 'outside.json'), '{"stolen":true}');
      app = await createTestApp(database, {
        adapter,
        sessions: { store: 'file', fileStore: { path: folder } },
      });
    });

    afterAll(async () => {
      await app?.close();
      await rm(root, { recursive: true, force: true });
      await database.drop();
    });

    it('keeps a session in a file of its folder, made when the app started', async () => {
      expect((await stat(folder)).isDirectory()).toBe(true);
      const server = app.getHttpServer();

      const created = await request(server).get('/set?name=zoe').expect(200);
      const key = sessionKeyFrom(created.headers)!;
      await request(server)
        .get('/set?step=2')
        .set('Cookie', `sessionid=${key}`)
        .expect(200);

      expect(key).toMatch(KEY);
      expect(
        JSON.parse(await readFile(join(folder, `session-${key}`), 'utf8')),
      ).toEqual({ name: 'zoe', step: '2' });
      await request(server)
        .get('/read')
        .set('Cookie', `sessionid=${key}`)
        .expect(200, { name: 'zoe', step: '2' });
      expect(await database.sessionCount()).toBe(0);
    });

    describe('a cookie that tries to name a file outside the folder', () => {
      const tooLong = 'a'.repeat(41);

      beforeAll(async () => {
        // A session file a 41-character key would name, were such keys taken.
        const planted = join(folder, `session-${tooLong}`);
        await writeFile(planted, '{"planted":true}');
        await utimes(planted, new Date(), new Date(Date.now() + 3_600_000));
      });

      it.each([
        '../../etc/passwd',
        '../outside.json',
        '..%2F..%2Foutside.json',
        '....//....//outside.json',
        '/etc/passwd',
        'abcdefgh%00ijklmnop',
        'abcdefgh\\..\\..\\outside.json',
        tooLong,
      ])(
        '%j reads nothing, writes nothing outside it, and gets a fresh session',
        async (cookie) => {
          const server = app.getHttpServer();
          const outside = (await tree(root)).filter(
            (path) => !path.startsWith('sessions'),
          );
          const inside = await tree(folder);

          await request(server)
            .get('/read')
            .set('Cookie', `sessionid=${cookie}`)
            .expect(200, {});
          const response = await request(server)
            .get('/set?fresh=1')
            .set('Cookie', `sessionid=${cookie}`)
            .expect(200, { fresh: '1' });
          const key = sessionKeyFrom(response.headers)!;

          expect(key).toMatch(KEY);
          expect(
            (await tree(root)).filter((path) => !path.startsWith('sessions')),
          ).toEqual(outside);
          expect(await tree(folder)).toEqual(
            [...inside, `session-${key}`].sort(),
          );
          expect(await readFile(join(root, 'outside.json'), 'utf8')).toBe(
            '{"stolen":true}',
          );
        },
      );
    });

    it('has CleanupService remove the expired session files and keep the live ones', async () => {
      const server = app.getHttpServer();
      const live = sessionKeyFrom(
        (await request(server).get('/set?live=1').expect(200)).headers,
      )!;
      const expired = sessionKeyFrom(
        (await request(server).get('/expiry?seconds=-60').expect(200)).headers,
      )!;
      expect(await tree(folder)).toEqual(
        expect.arrayContaining([`session-${live}`, `session-${expired}`]),
      );

      const result = await app.get(CleanupService).run();

      expect(result).toMatchObject({ deleted: 1, skipped: null });
      const files = await tree(folder);
      expect(files).toContain(`session-${live}`);
      expect(files).not.toContain(`session-${expired}`);
      await request(server)
        .get('/read')
        .set('Cookie', `sessionid=${live}`)
        .expect(200, { live: '1' });
    });
  },
);

describe("The 'file' store's folder at bootstrap", () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nest-sessions-file-boot-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  (process.getuid === undefined ? it.skip : it)(
    'stops the app from starting when other users may write in it',
    async () => {
      const shared = join(root, 'shared');
      await mkdir(shared);
      await chmod(shared, 0o777);
      const moduleRef = await Test.createTestingModule({
        imports: [
          ScheduleModule.forRoot(),
          SessionsModule.forRoot({
            store: 'file',
            fileStore: { path: shared },
          }),
        ],
      })
        .setLogger(silentLogger)
        .compile();

      try {
        const starting = moduleRef.init();
        await expect(starting).rejects.toThrow(SessionsConfigurationError);
        await expect(starting).rejects.toThrow(/chmod 700/);
      } finally {
        await moduleRef.close();
      }
    },
  );
});
