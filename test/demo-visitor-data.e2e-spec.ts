import { existsSync } from 'node:fs';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CleanupService } from 'nest-sessions';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Note } from '../src/notes/note.entity.js';
import { sessionFolder } from '../src/uploads/upload-files.js';
import { VisitorDataService } from '../src/visitor/visitor-data.service.js';
import { CLEANUP_MODES } from './support/cleanup-testing.js';
import { waitForLockWait } from './support/lock-wait.js';
import { demoVisitor, renewCsrfToken } from './support/demo-visitor.js';
import { sessionKeyFrom } from './support/test-app.js';
import { InProcessDemo } from './support/demo-app.js';
import { TestDatabase } from './support/test-database.js';

/** The smallest PNG header: enough for the demo to recognise one. */
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);

/** A promise and its resolve, to hold work at a point the test chooses. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * The demo's login-free notes and files over HTTP: what a visitor may send,
 * what they may see, and how their data and the nightly cleanup meet.
 */
describe('The demo: a visitor’s notes and files', () => {
  let database: TestDatabase;
  let uploads: string;
  let app: INestApplication;
  let demo: InProcessDemo;

  beforeAll(async () => {
    uploads = await mkdtemp(join(tmpdir(), 'demo-uploads-'));
    demo = await InProcessDemo.start({ UPLOADS_PATH: uploads });
    ({ app, database } = demo);
  });

  afterAll(async () => {
    await demo.close();
    await rm(uploads, { recursive: true, force: true });
  });

  /** A new visitor who has written one note: their agent and session key. */
  async function visitorWithNote() {
    const { visitor, key } = await demoVisitor(app.getHttpServer());
    await visitor
      .post('/notes')
      .type('form')
      .send({ text: 'hello' })
      .expect(303);
    return { visitor, key };
  }

  describe('over HTTP', () => {
    it("shows an empty page to a new visitor, its forms with the session's CSRF token", async () => {
      const response = await request(app.getHttpServer())
        .get('/notes')
        .expect(200)
        .expect('Content-Type', 'text/html; charset=utf-8');
      expect(response.text).toContain('No notes yet.');
      // The token needs a session: the page makes one, holding only its secret.
      const key = sessionKeyFrom(response.headers)!;
      expect(Object.keys((await database.sessionData(key))!)).toEqual([
        '_csrftoken',
      ]);
      // Each form (a note, a file) carries it.
      expect(
        response.text.match(
          /name="csrfmiddlewaretoken"\s+value="[a-zA-Z0-9]{64}"/g,
        ),
      ).toHaveLength(2);
    });

    it("refuses a form without the token, or with another session's, with a 403, storing nothing", async () => {
      const { key } = await demoVisitor(app.getHttpServer());
      const forged = 'x'.repeat(64);
      const post = (path: string) =>
        request(app.getHttpServer())
          .post(path)
          .set('Cookie', `sessionid=${key}`);
      await post('/notes').type('form').send({ text: 'forged' }).expect(403);
      await post('/notes')
        .set('X-CSRFToken', forged)
        .type('form')
        .send({ text: 'forged' })
        .expect(403);
      await post('/uploads')
        .attach('file', Buffer.from('forged'), 'forged.txt')
        .expect(403);
      await post('/uploads')
        .field('csrfmiddlewaretoken', forged)
        .attach('file', Buffer.from('forged'), 'forged.txt')
        .expect(403);
      expect(
        await database.query('SELECT 1 FROM note WHERE session_key = $1', [
          key,
        ]),
      ).toEqual([]);
      expect(
        await database.query('SELECT 1 FROM upload WHERE session_key = $1', [
          key,
        ]),
      ).toEqual([]);
    });

    it.each([
      ['an empty note', { text: '   ' }],
      ['a note too long', { text: 'x'.repeat(2001) }],
      ['a list for a note', 'text=a&text=b'],
      ['a NUL character', { text: 'a\u0000b' }],
    ])('refuses %s with a 400 page, and stores nothing', async (_, body) => {
      const { visitor } = await demoVisitor(app.getHttpServer());
      const sessions = await database.sessionCount();
      const response = await visitor
        .post('/notes')
        .type('form')
        .send(body)
        .expect(400)
        .expect('Content-Type', /text\/html/);
      expect(response.text).toContain('Back to your notes');
      expect(await database.sessionCount()).toBe(sessions);
    });

    it('stores a file under a name of its own, typed by its bytes, and gives it back', async () => {
      const { visitor, key } = await visitorWithNote();
      await visitor
        .post('/uploads')
        .attach('file', PNG, {
          filename: '../../etc/passwd<b>.png',
          contentType: 'text/plain',
        })
        .expect(303)
        .expect('Location', '/notes');

      const [row] = await database.query<{
        id: string;
        name: string;
        content_type: string;
      }>('SELECT id, name, content_type FROM upload WHERE session_key = $1', [
        key,
      ]);
      expect(row).toMatchObject({
        name: 'passwd<b>.png',
        content_type: 'image/png',
      });
      const folder = sessionFolder(uploads, key);
      expect(await readdir(folder)).toEqual([row.id]);
      expect(folder).not.toContain(key);
      const page = await visitor.get('/notes').expect(200);
      expect(page.text).toContain('passwd&lt;b&gt;.png');

      const download = await visitor
        .get(`/uploads/${row.id}`)
        .buffer(true)
        .expect(200)
        .expect('Content-Type', 'image/png')
        .expect('X-Content-Type-Options', 'nosniff');
      expect(download.headers['content-disposition']).toBe(
        `attachment; filename="passwd_b_.png"; filename*=UTF-8''passwd%3Cb%3E.png`.replace(
          '_b_',
          '<b>',
        ),
      );
      expect(Buffer.from(download.body as Buffer)).toEqual(PNG);
    });

    it.each([
      ['no file', 400, undefined],
      ['an empty file', 400, Buffer.alloc(0)],
      ['a file over 1 MB', 413, Buffer.alloc(1024 * 1024 + 1, 'a')],
      ['bytes of no accepted type', 415, Buffer.from([0, 1, 2, 0xff, 0xfe])],
    ])(
      'refuses %s with a %d page, and keeps nothing',
      async (_, status, content) => {
        const { visitor, key } = await visitorWithNote();
        const posting = visitor.post('/uploads');
        const response = await (
          content === undefined
            ? posting.field('other', 'x')
            : posting.attach('file', content, 'a.txt')
        ).expect(status);
        expect(response.text).toContain('Back to your notes');
        expect(
          await database.query('SELECT 1 FROM upload WHERE session_key = $1', [
            key,
          ]),
        ).toEqual([]);
        expect(
          existsSync(sessionFolder(uploads, key))
            ? await readdir(sessionFolder(uploads, key))
            : [],
        ).toEqual([]);
      },
    );

    it('shows, gives and deletes nothing of another visitor’s', async () => {
      const owner = await visitorWithNote();
      await owner.visitor
        .post('/uploads')
        .attach('file', Buffer.from('mine'), 'mine.txt')
        .expect(303);
      const [{ id: uploadId }] = await database.query<{ id: string }>(
        'SELECT id FROM upload WHERE session_key = $1',
        [owner.key],
      );
      const [{ id: noteId }] = await database.query<{ id: string }>(
        'SELECT id FROM note WHERE session_key = $1',
        [owner.key],
      );
      const other = await visitorWithNote();

      const page = await other.visitor.get('/notes').expect(200);
      expect(page.text).not.toContain('mine.txt');
      await other.visitor.get(`/uploads/${uploadId}`).expect(404);
      await other.visitor.post(`/uploads/${uploadId}/delete`).expect(303);
      await other.visitor.post(`/notes/${noteId}/delete`).expect(303);
      await other.visitor.get('/uploads/not-a-uuid').expect(400);

      expect(
        await readFile(
          join(sessionFolder(uploads, owner.key), uploadId),
          'utf8',
        ),
      ).toBe('mine');
      const left = await database.query(
        'SELECT 1 FROM note WHERE id = $1 UNION ALL SELECT 1 FROM upload WHERE id = $2',
        [noteId, uploadId],
      );
      expect(left).toHaveLength(2);

      // The owner may.
      await owner.visitor.post(`/uploads/${uploadId}/delete`).expect(303);
      await owner.visitor.post(`/notes/${noteId}/delete`).expect(303);
      expect(await readdir(sessionFolder(uploads, owner.key))).toEqual([]);
      expect(
        await database.query(
          'SELECT 1 FROM note WHERE id = $1 UNION ALL SELECT 1 FROM upload WHERE id = $2',
          [noteId, uploadId],
        ),
      ).toEqual([]);
    });

    it('moves notes and files to the new key on login, and removes them on logout', async () => {
      const { visitor, key } = await visitorWithNote();
      await visitor
        .post('/uploads')
        .attach('file', Buffer.from('kept'), 'kept.txt')
        .expect(303);

      const login = await visitor
        .post('/signup')
        .type('form')
        .send({ username: 'visitor-alice', password: 'a long password' })
        .expect(303)
        .expect('Location', '/account');
      const userKey = sessionKeyFrom(login.headers)!;
      expect(userKey).not.toBe(key);
      const page = await visitor.get('/notes').expect(200);
      expect(page.text).toContain('hello');
      expect(page.text).toContain('kept.txt');
      expect(existsSync(sessionFolder(uploads, key))).toBe(false);
      expect(await readdir(sessionFolder(uploads, userKey))).toHaveLength(1);
      const counts = async (sessionKey: string) =>
        database.query(
          `SELECT (SELECT count(*) FROM note WHERE session_key = $1)::int AS notes,
                  (SELECT count(*) FROM upload WHERE session_key = $1)::int AS uploads`,
          [sessionKey],
        );
      expect(await counts(key)).toEqual([{ notes: 0, uploads: 0 }]);
      expect(await counts(userKey)).toEqual([{ notes: 1, uploads: 1 }]);

      await renewCsrfToken(visitor); // the login gave the session a new secret
      await visitor.post('/logout').expect(303).expect('Location', '/');
      expect(await counts(userKey)).toEqual([{ notes: 0, uploads: 0 }]);
      expect(existsSync(sessionFolder(uploads, userKey))).toBe(false);
    });

    it('keeps at most 20 files per visitor', async () => {
      const { visitor } = await visitorWithNote();
      for (let i = 0; i < 20; i++) {
        await visitor
          .post('/uploads')
          .attach('file', Buffer.from(`file ${i}`), `${i}.txt`)
          .expect(303);
      }
      const refused = await visitor
        .post('/uploads')
        .attach('file', Buffer.from('one more'), 'more.txt')
        .expect(400);
      expect(refused.text).toContain('You have 20 files');
    });
  });

  describe.each(CLEANUP_MODES)("with the cleanup in mode '%s'", (mode) => {
    /** Expired visitors with a note, an upload row and its file each; their keys. */
    async function seedExpiredVisitors(
      count: number,
      prefix: string,
    ): Promise<string[]> {
      const rows = await database.query<{ key: string }>(
        `INSERT INTO session (session_key, session_data, expire_date)
         SELECT $1 || lpad(i::text, 6, '0'), '{"visitorSince": "then"}', now() - interval '1 hour'
         FROM generate_series(1, $2::int) AS i RETURNING session_key AS key`,
        [prefix, count],
      );
      const keys = rows.map((row) => row.key);
      await database.query(
        `INSERT INTO note (session_key, text) SELECT unnest($1::text[]), 'old'`,
        [keys],
      );
      const ids = await database.query<{ id: string; key: string }>(
        `INSERT INTO upload (id, session_key, name, content_type, size)
         SELECT gen_random_uuid(), key, 'old.txt', 'text/plain; charset=utf-8', 3
         FROM unnest($1::text[]) AS key RETURNING id, session_key AS key`,
        [keys],
      );
      for (const { id, key } of ids) {
        await mkdir(sessionFolder(uploads, key), { recursive: true });
        await writeFile(join(sessionFolder(uploads, key), id), 'old');
      }
      return keys;
    }

    async function rowsOf(keys: readonly string[]): Promise<number> {
      const [row] = await database.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM note WHERE session_key = ANY($1))
              + (SELECT count(*) FROM upload WHERE session_key = ANY($1)) AS n`,
        [keys],
      );
      return Number(row.n);
    }

    it('never removes what live visitors upload while it runs, and leaves nothing of the expired', async () => {
      const expired = await seedExpiredVisitors(600, `${mode}-gone-`);
      const live = await Promise.all(
        Array.from({ length: 6 }, () => visitorWithNote()),
      );

      const uploading = Promise.all(
        live.map(async ({ visitor }, v) => {
          for (let i = 0; i < 5; i++) {
            await visitor
              .post('/uploads')
              .attach('file', Buffer.from(`visitor ${v} file ${i}`), `${i}.txt`)
              .expect(303);
          }
        }),
      );
      const [result] = await Promise.all([
        app.get(CleanupService).run({ mode, batchSize: 25 }),
        uploading,
      ]);

      expect(result).toMatchObject({ deleted: 600, afterCommitFailures: 0 });
      expect(await rowsOf(expired)).toBe(0);
      expect(
        expired.filter((key) => existsSync(sessionFolder(uploads, key))),
      ).toEqual([]);
      for (const [v, { key }] of live.entries()) {
        const files = await database.query<{ id: string }>(
          'SELECT id FROM upload WHERE session_key = $1 ORDER BY name',
          [key],
        );
        expect(files).toHaveLength(5);
        for (const [i, { id }] of files.entries()) {
          expect(
            await readFile(join(sessionFolder(uploads, key), id), 'utf8'),
          ).toBe(`visitor ${v} file ${i}`);
        }
      }
      expect(
        await database.query('SELECT * FROM session_expired_outbox'),
      ).toEqual([]);
    }, 60_000);

    it('waits for an upload in flight when the session expires under it, then removes it too', async () => {
      const { key } = await visitorWithNote();
      // The session expires half a second from now, by the database's clock.
      const [{ expiry }] = await database.query<{ expiry: Date }>(
        `UPDATE session SET expire_date = now() + interval '500 milliseconds'
         WHERE session_key = $1 RETURNING expire_date AS expiry`,
        [key],
      );
      const held = gate();
      const inFlight = gate();
      const folder = sessionFolder(uploads, key);
      const adding = app
        .get(VisitorDataService)
        .addToSession(key, async (manager) => {
          await manager.insert(Note, { sessionKey: key, text: 'written late' });
          await mkdir(folder, { recursive: true });
          await writeFile(join(folder, 'late'), 'late');
          inFlight.open();
          await held.opened;
        });
      await inFlight.opened;
      // Until the database's clock passes the expiry (no fixed delay).
      while (
        (await database.query('SELECT 1 WHERE now() > $1', [expiry])).length ===
        0
      );

      const cleaning = app.get(CleanupService).run({ mode });
      await waitForLockWait(database, 'DELETE');
      held.open();
      await adding;
      const result = await cleaning;

      expect(result.deleted).toBe(1);
      expect(await rowsOf([key])).toBe(0);
      expect(existsSync(folder)).toBe(false);
    }, 30_000);
  });
});
