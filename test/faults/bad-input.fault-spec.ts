import { spawn } from 'node:child_process';
import { ChildOutput } from '../support/child-output.js';
import { TestDatabase } from '../support/test-database.js';
import { DemoProcess } from '../support/demo-process.js';
import { printFigures } from './support/figures.js';
import { type Outcome, tally, Visitor } from './support/visitors.js';

const REQUESTS = 10_000;
const CONCURRENCY = 20;

/** Every route of the demo, with how it takes input. */
const ROUTES = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/set/', query: 'name' },
  { method: 'GET', path: '/get/' },
  { method: 'GET', path: '/del/' },
  { method: 'GET', path: '/counter/' },
  { method: 'GET', path: '/counter/slow', query: 'ms' },
  { method: 'POST', path: '/login', body: true },
  { method: 'POST', path: '/logout', body: true },
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/metrics' },
] as const;

/**
 * 10,000 requests with fuzzed cookies, query strings and bodies, spread
 * over every route of the demo: none answers 5xx, and no key a client made
 * up is ever taken for a session (no Set-Cookie gives it back, no row has it).
 */
describe('fuzzed cookies and malformed bodies on every route', () => {
  let database: TestDatabase;
  let demo: DemoProcess;

  beforeAll(async () => {
    database = await TestDatabase.create({ migrate: false });
    demo = await DemoProcess.start({ DATABASE_URL: database.url });
  }, 60_000);

  afterAll(async () => {
    await demo?.stop();
    await database?.drop();
  });

  it('answers none with a 5xx and adopts no key', async () => {
    const random = seeded(20261205);
    const sentKeys = new Set<string>();
    const givenKeys = new Set<string>();
    const adopted: string[] = [];
    const serverErrors: string[] = [];
    const outcomes: Outcome[] = [];
    let next = 0;
    const worker = async () => {
      const client = new Visitor(demo.url);
      while (next < REQUESTS) {
        next += 1;
        const { method, path, headers, body, key } = fuzzedRequest(random);
        if (key !== undefined) sentKeys.add(key);
        client.cookie = undefined; // each request sends its own cookie header
        const outcome = await client.send(method, path, body, headers);
        outcomes.push(outcome);
        if ((outcome.status ?? 0) >= 500) {
          serverErrors.push(
            `${method} ${path} -> ${outcome.status}: ${outcome.body?.slice(0, 200)}`,
          );
        }
        const cookie = client.cookie as string | undefined; // set by the answer
        const given = cookie?.split('=')[1];
        if (given !== undefined && given !== '') {
          givenKeys.add(given);
          if (sentKeys.has(given)) adopted.push(given);
        }
      }
      client.close();
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const rows = await database.query<{ session_key: string }>(
      'SELECT session_key FROM session WHERE session_key = ANY($1)',
      [[...sentKeys].filter((key) => key.length <= 40)],
    );
    // No key, sent or given, is in the log.
    const log = demo.output.text;
    const logged = [...sentKeys, ...givenKeys].filter(
      (key) => key.length >= 32 && log.includes(key),
    );
    const statuses = tally(outcomes);
    printFigures('fuzzed cookies and bodies on every route', {
      requests: outcomes.length,
      '5xx': serverErrors.length,
      adoptedKeys: adopted.length + rows.length,
      keysInLog: logged.length,
      statuses: JSON.stringify(statuses),
    });
    expect(logged).toEqual([]);
    expect(serverErrors.slice(0, 10)).toEqual([]);
    expect(adopted).toEqual([]);
    expect(rows).toEqual([]);
  }, 300_000);
});

describe('a malformed DATABASE_URL', () => {
  it('stops the demo at once with one line that says what is wrong, without quoting it', async () => {
    const started = performance.now();
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: { ...process.env, DATABASE_URL: 'not-a-url:hunter2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = new ChildOutput(child);
    const code = await output.exited;
    const ms = Math.round(performance.now() - started);
    printFigures('a malformed DATABASE_URL', {
      exitCode: code ?? 'signal',
      ms,
    });
    expect(code).toBe(1);
    expect(output.text.trim()).toBe(
      'Cannot start: DATABASE_URL is not a valid postgres:// URL: it should read ' +
        'postgres://user:password@host:5432/database (or leave it unset for the embedded PostgreSQL).',
    );
  });
});

interface FuzzedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The session key the cookie names, if it names one. */
  key?: string;
}

function fuzzedRequest(random: () => number): FuzzedRequest {
  const route = ROUTES[Math.floor(random() * ROUTES.length)];
  const key = pick(random, [
    () => undefined,
    () => text(random, 32, 'abcdefghijklmnopqrstuvwxyz0123456789'),
    () => text(random, Math.floor(random() * 60), HEADER_CHARACTERS),
    () => "' OR 1=1 --",
    () => 'a'.repeat(8) + ';sessionid=' + 'b'.repeat(32),
    () => '%' + text(random, 30, '0123456789abcdefABCDEF%'),
    () => 'x'.repeat(4000),
  ])();
  const headers: Record<string, string> = {};
  if (key !== undefined) {
    headers.cookie = pick(random, [
      `sessionid=${key}`,
      `sessionid=${key}; sessionid=${key}`,
      `other=1; sessionid="${key}"`,
    ]);
  }
  let path: string = route.path;
  if ('query' in route) {
    path += `?${route.query}=${pick(random, QUERY_VALUES)}${pick(random, ['', '&x=%', `&${route.query}=2`, '%zz'])}`;
  }
  let body: string | Buffer | undefined;
  if ('body' in route) {
    const [contentType, content] = pick(random, BODIES);
    headers['content-type'] = contentType;
    body = content;
  }
  return { method: route.method, path, headers, body, key };
}

/** Characters Node lets a header value carry: visible ASCII, space, tab. */
const HEADER_CHARACTERS =
  Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('') +
  '\t';

/** Query values as sent, percent-encoded (some of them badly). */
const QUERY_VALUES = [
  'alice',
  '',
  '%20',
  'nul%00here',
  'lone%ED%A0%80surrogate',
  'x'.repeat(10_000),
  '-1',
  '1e999',
  '99999999999',
  '300',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  "'%3B%20DROP%20TABLE%20session%3B%20--",
  '%E0%A4%A',
];

const BODIES: readonly (readonly [string, string | Buffer])[] = [
  ['application/json', '{"userId": "alice"}'],
  ['application/json', '{"userId": 42}'],
  ['application/json', '{"userId": "nul\\u0000here"}'],
  ['application/json', '{"userId": "\\ud800"}'],
  ['application/json', '{"userId": 1e999}'],
  ['application/json', '{"userId": {"$gt": ""}}'],
  ['application/json', '{"userId": ["a"]}'],
  ['application/json', '{"userId": '],
  ['application/json', 'null'],
  ['application/json', '[]'],
  ['application/json', '"just a string"'],
  ['application/json', `{"userId": "${'x'.repeat(200_000)}"}`],
  ['application/json', Buffer.from([0xff, 0xfe, 0x00, 0x7b])],
  ['application/x-www-form-urlencoded', 'userId=alice&userId=bob'],
  ['application/x-www-form-urlencoded', 'userId=%00'],
  ['text/plain', 'userId=alice'],
  ['application/json; charset=latin1', '{"userId": "alice"}'],
  ['multipart/form-data; boundary=x', '--x\r\nbroken'],
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function text(random: () => number, length: number, alphabet: string): string {
  let result = '';
  for (let i = 0; i < length; i++) {
    result += alphabet[Math.floor(random() * alphabet.length)];
  }
  return result;
}

/** A seeded random number generator (mulberry32), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
