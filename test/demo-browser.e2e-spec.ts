import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
} from 'playwright-core';
import { sessionFolder } from '../src/uploads/upload-files.js';
import { clearsessions } from './support/clearsessions-process.js';
import { DEMO_FROM_SOURCE, DemoProcess } from './support/demo-process.js';
import { TestDatabase } from './support/test-database.js';

/** Debian's Chromium (the global setup installs it when it can). */
const CHROMIUM = execFileSync('sh', ['-c', 'command -v chromium'])
  .toString()
  .trim();

/** Where `UPDATE_SCREENSHOT=1 npm test -- demo-browser` puts the docs' pictures. */
const SCREENSHOT = 'docs/images/notes-page.png';
const ACCOUNT_SCREENSHOT = 'docs/images/account-page.png';

/** A visitor's browser: its own context, so its own cookies. */
class Visitor {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async open(browser: Browser, userAgent?: string): Promise<Visitor> {
    const context = await browser.newContext({ userAgent });
    return new Visitor(context, await context.newPage());
  }

  async visitNotes(baseUrl: string): Promise<void> {
    const response = await this.page.goto(`${baseUrl}/notes`);
    expect(response?.status()).toBe(200);
  }

  async writeNote(text: string): Promise<void> {
    await this.page.fill('#text', text);
    await Promise.all([
      this.page.waitForURL(/\/notes$/),
      this.page.click('text=Save note'),
    ]);
  }

  async upload(name: string, content: string): Promise<void> {
    await this.page.setInputFiles('#file', {
      name,
      mimeType: 'text/plain',
      buffer: Buffer.from(content),
    });
    await Promise.all([
      this.page.waitForURL(/\/notes$/),
      this.page.click('text=Upload'),
    ]);
  }

  notes(): Promise<string[]> {
    return this.page.locator('#notes .note').allTextContents();
  }

  files(): Promise<string[]> {
    return this.page.locator('#uploads a.upload').allTextContents();
  }

  /** Fills and sends the sign-up or login form at `path`; lands on the account page. */
  async logIn(baseUrl: string, path: '/signup' | '/login'): Promise<void> {
    await this.page.goto(`${baseUrl}${path}`);
    await this.page.fill('#username', 'alice');
    await this.page.fill('#password', 'a long password');
    await Promise.all([
      this.page.waitForURL(/\/account$/),
      this.page.click('button[type=submit]'),
    ]);
  }

  /** The browsers the account page lists: their user agents, this one marked. */
  sessionsListed(): Promise<string[]> {
    return this.page.locator('#sessions li').allTextContents();
  }

  async sessionKey(): Promise<string | undefined> {
    const cookies = await this.context.cookies();
    return cookies.find((cookie) => cookie.name === 'sessionid')?.value;
  }
}

/**
 * The login-free demo in a real browser: a visitor's notes and files live
 * with their session, survive a reload and a restart, are invisible to
 * another visitor, and are gone, rows and files, once the session has
 * expired and `clearsessions` has run.
 */
describe('The demo in a browser: notes and files die with their session', () => {
  let database: TestDatabase;
  let uploads: string;
  let demo: DemoProcess | undefined;
  let browser: Browser;

  const startDemo = async (): Promise<string> => {
    demo = await DemoProcess.start(
      { DATABASE_URL: database.url, UPLOADS_PATH: uploads },
      DEMO_FROM_SOURCE,
    );
    return demo.url;
  };

  beforeAll(async () => {
    database = await TestDatabase.create({ migrate: false });
    uploads = await mkdtemp(join(tmpdir(), 'demo-uploads-'));
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });

  afterAll(async () => {
    await browser?.close();
    if (demo?.running) {
      await demo.stop();
    }
    await rm(uploads, { recursive: true, force: true });
    await database?.drop();
  });

  it('keeps them across a reload and a restart, hides them from others, and removes them after expiry', async () => {
    let url = await startDemo();
    const first = await Visitor.open(browser);
    await first.visitNotes(url);
    expect(await first.page.locator('#no-notes').textContent()).toBe(
      'No notes yet.',
    );
    await first.writeNote('Buy <milk> & "bread"');
    await first.upload('shopping list.txt', 'milk, bread\n');
    expect(await first.notes()).toEqual(['Buy <milk> & "bread"']);
    expect(await first.files()).toEqual(['shopping list.txt']);
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await first.page.setViewportSize({ width: 800, height: 560 });
      await first.page.screenshot({ path: SCREENSHOT });
    }

    // The file comes back as it went.
    const [download] = await Promise.all([
      first.page.waitForEvent('download'),
      first.page.click('#uploads a.upload'),
    ]);
    expect(download.suggestedFilename()).toBe('shopping list.txt');
    expect(await readFile(await download.path(), 'utf8')).toBe('milk, bread\n');

    await first.page.reload();
    expect(await first.notes()).toEqual(['Buy <milk> & "bread"']);

    // A restart keeps them: they are in the database and on disk.
    expect(await demo!.stop()).toBe(0);
    url = await startDemo();
    await first.visitNotes(url);
    expect(await first.notes()).toEqual(['Buy <milk> & "bread"']);
    expect(await first.files()).toEqual(['shopping list.txt']);

    // Another visitor sees none of them, and keeps their own.
    const second = await Visitor.open(browser);
    await second.visitNotes(url);
    expect(await second.notes()).toEqual([]);
    expect(await second.files()).toEqual([]);
    await second.writeNote('Mine only');
    await second.upload('mine.txt', 'second visitor\n');
    const firstKey = (await first.sessionKey())!;
    const secondKey = (await second.sessionKey())!;
    expect(firstKey).not.toBe(secondKey);
    const firstFolder = sessionFolder(uploads, firstKey);
    const secondFolder = sessionFolder(uploads, secondKey);
    expect(await readdir(firstFolder)).toHaveLength(1);

    // The first visitor's session expires; the nightly job runs.
    await database.query(
      `UPDATE session SET expire_date = now() - interval '1 second' WHERE session_key = $1`,
      [firstKey],
    );
    const cleanup = await clearsessions(database, [], {
      UPLOADS_PATH: uploads,
    });
    expect(cleanup).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^Deleted 1 expired session in 1 batch/,
      ) as string,
    });

    const rowsOf = async (key: string) =>
      database.query<{ kind: string }>(
        `SELECT 'note' AS kind FROM note WHERE session_key = $1
         UNION ALL SELECT 'upload' FROM upload WHERE session_key = $1 ORDER BY 1`,
        [key],
      );
    expect(await rowsOf(firstKey)).toEqual([]);
    expect(existsSync(firstFolder)).toBe(false);
    expect(await rowsOf(secondKey)).toEqual([
      { kind: 'note' },
      { kind: 'upload' },
    ]);
    expect(await readdir(secondFolder)).toHaveLength(1);
    expect(
      await database.query('SELECT * FROM session_expired_outbox'),
    ).toEqual([]);

    // The first browser, back, starts afresh under a new key.
    await first.page.reload();
    expect(await first.notes()).toEqual([]);
    expect(await first.files()).toEqual([]);
    await first.writeNote('A new start');
    expect(await first.notes()).toEqual(['A new start']);
    const newKey = await first.sessionKey();
    expect(newKey).toBeDefined();
    expect(newKey).not.toBe(firstKey);

    // The second visitor's page is as it was.
    await second.page.reload();
    expect(await second.notes()).toEqual(['Mine only']);
    expect(await second.files()).toEqual(['mine.txt']);
  }, 120_000);

  it('logs in for real: two browsers, one logs the other out, forms carry CSRF tokens', async () => {
    const url = demo?.running ? demo.url : await startDemo();
    const laptop = await Visitor.open(browser, 'Laptop browser');
    const phone = await Visitor.open(browser, 'Phone browser');

    // The notes written before signing up come along.
    await laptop.visitNotes(url);
    await laptop.writeNote('Before signing up');
    await laptop.logIn(url, '/signup');
    await phone.logIn(url, '/login');
    await laptop.page.reload();
    const listed = await laptop.sessionsListed();
    expect(listed).toHaveLength(2);
    expect(listed.find((item) => item.includes('This browser'))).toContain(
      'Laptop browser',
    );
    expect(listed.find((item) => !item.includes('This browser'))).toContain(
      'Phone browser',
    );
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await laptop.page.setViewportSize({ width: 800, height: 720 });
      await laptop.page.screenshot({
        path: ACCOUNT_SCREENSHOT,
        fullPage: true,
      });
    }
    await laptop.visitNotes(url);
    expect(await laptop.notes()).toEqual(['Before signing up']);

    // The laptop logs the phone out; the phone's next page asks for a login.
    await laptop.page.goto(`${url}/account`);
    await Promise.all([
      laptop.page.waitForURL(/\/account$/),
      laptop.page.click('#sessions form button'),
    ]);
    expect(await laptop.sessionsListed()).toHaveLength(1);
    await phone.page.goto(`${url}/account`);
    expect(phone.page.url()).toMatch(/\/login$/);

    // A form another site posts, without the token, is refused.
    const forged = await phone.page.request.post(`${url}/logout`, {
      headers: { Origin: 'https://evil.example' },
    });
    expect(forged.status()).toBe(403);
  }, 120_000);
});
