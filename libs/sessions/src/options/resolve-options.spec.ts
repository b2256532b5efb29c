import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Keyv } from 'keyv';
import { Column, Entity } from 'typeorm';
import { AbstractSessionEntity } from '../entities/abstract-session.entity.js';
import { SessionEntity } from '../entities/session.entity.js';
import { SessionsConfigurationError } from '../errors/sessions-configuration.error.js';
import { SessionStore } from '../stores/session.store.js';
import {
  resolveSessionsOptions,
  resolveStaticOptions,
} from './resolve-options.js';

@Entity('custom_session')
class CustomSession extends AbstractSessionEntity {
  @Column({ nullable: true, type: 'integer' })
  userId!: number | null;
}

class SomeStore extends SessionStore {
  load = () => Promise.resolve(null);
  exists = () => Promise.resolve(false);
  create = () => Promise.resolve('x'.repeat(32));
  save = () => Promise.resolve(null);
  delete = () => Promise.resolve(false);
  deleteIfEmpty = () => Promise.resolve(false);
  clearExpired = () => Promise.resolve(0);
}

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const OLD_SECRET = 'the-secret-before-it-was-rotated-out';

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionsConfigurationError);
    return (error as SessionsConfigurationError).problems;
  }
  throw new Error('expected a SessionsConfigurationError');
}

describe('resolveSessionsOptions', () => {
  it('fills in Django’s defaults', () => {
    expect(resolveSessionsOptions({}, {})).toEqual({
      store: 'db',
      entity: SessionEntity,
      dataSource: 'default',
      cookie: {
        name: 'sessionid',
        maxAge: 1209600,
        domain: undefined,
        path: '/',
        secure: false,
        httpOnly: true,
        sameSite: 'lax',
      },
      saveEveryRequest: false,
      touchAfter: undefined,
      maxLifetime: undefined,
      hashKeys: false,
      expireAtBrowserClose: false,
      requestContext: true,
      cleanup: {
        enabled: true,
        cron: '0 3 * * *',
        timeZone: undefined,
        mode: 'raw',
        batchSize: 5000,
      },
      csrf: { trustedOrigins: [] },
      auth: { currentHash: undefined },
      secret: undefined,
      fallbackSecrets: [],
      cache: { url: undefined, keyv: undefined, namespace: 'sessions' },
      fileStore: { path: join(tmpdir(), 'nest-sessions') },
    });
  });

  it('keeps what is given', () => {
    const currentHash = (userId: string) => `hash of ${userId}`;
    // Every cleanup option set, and none the default.
    const cleanup = {
      enabled: false,
      cron: '*/10 * * * * *',
      timeZone: 'Europe/Paris',
      mode: 'events' as const,
      batchSize: 100,
    };
    const resolved = resolveSessionsOptions(
      { store: SomeStore, entity: CustomSession, dataSource: 'sessions' },
      {
        cookie: {
          name: '__Host-sid',
          maxAge: 60,
          path: '/',
          secure: true,
          httpOnly: false,
          sameSite: 'Strict' as 'strict',
        },
        saveEveryRequest: true,
        touchAfter: 30,
        maxLifetime: 86400,
        hashKeys: 'migrate',
        expireAtBrowserClose: true,
        cleanup,
        csrf: { trustedOrigins: ['https://app.example.org'] },
        auth: { currentHash },
        secret: SECRET,
        fallbackSecrets: [OLD_SECRET],
        cache: { url: 'redis://cache:6379/2', namespace: 'app-sessions' },
        fileStore: { path: 'relative/sessions' },
      },
    );
    expect(resolved).toEqual({
      store: SomeStore,
      entity: CustomSession,
      dataSource: 'sessions',
      cookie: {
        name: '__Host-sid',
        maxAge: 60,
        domain: undefined,
        path: '/',
        secure: true,
        httpOnly: false,
        sameSite: 'strict',
      },
      saveEveryRequest: true,
      touchAfter: 30,
      maxLifetime: 86400,
      hashKeys: 'migrate',
      expireAtBrowserClose: true,
      requestContext: true,
      cleanup,
      csrf: { trustedOrigins: ['https://app.example.org'] },
      auth: { currentHash },
      secret: SECRET,
      fallbackSecrets: [OLD_SECRET],
      cache: {
        url: 'redis://cache:6379/2',
        keyv: undefined,
        namespace: 'app-sessions',
      },
      fileStore: { path: resolve('relative/sessions') },
    });
  });

  it.each(['db', 'cached_db', 'cache', 'file'] as const)(
    "accepts the '%s' store by name",
    (store) => {
      expect(resolveSessionsOptions({ store }, {}).store).toBe(store);
    },
  );

  it("needs a secret for the 'signed_cookies' store, and a long one", () => {
    expect(
      problemsOf(() => resolveSessionsOptions({ store: 'signed_cookies' }, {})),
    ).toEqual([
      expect.stringMatching(
        /^the 'signed_cookies' store needs 'secret': at least 32 random characters/,
      ),
    ]);
    const problems = problemsOf(() =>
      resolveSessionsOptions(
        { store: 'signed_cookies' },
        { secret: 'hunter2', fallbackSecrets: ['short'] },
      ),
    );
    expect(problems).toEqual([
      "'secret' must be a string of at least 32 characters, got 7 characters.",
      expect.stringMatching(/^the 'signed_cookies' store needs 'secret'/),
      "'fallbackSecrets' must be an array of strings of at least 32 characters each.",
    ]);
    expect(problems.join(' ')).not.toContain('hunter2');
    expect(
      resolveSessionsOptions({ store: 'signed_cookies' }, { secret: SECRET })
        .secret,
    ).toBe(SECRET);
  });

  it('checks the cache and file store options', () => {
    expect(
      problemsOf(() =>
        resolveSessionsOptions(
          { store: 'cache' },
          {
            cache: {
              url: 'http://user:hunter2@cache:6379',
              keyv: new Keyv(),
              namespace: '',
              ttl: 5,
            } as never,
            fileStore: { path: 3 as never },
          },
        ),
      ),
    ).toEqual([
      expect.stringMatching(/^unknown option 'cache.ttl'/),
      "'cache.url' must be a redis:// or rediss:// URL, got 'http://***@cache:6379'.",
      "give 'cache.url' or 'cache.keyv', not both.",
      "'cache.namespace' must be a non-empty string, got ''.",
      "'fileStore.path' must be the path of a folder, got 3.",
    ]);
    expect(
      problemsOf(() =>
        resolveSessionsOptions({}, { cache: { keyv: new Map() as never } }),
      ),
    ).toEqual([expect.stringMatching(/^'cache.keyv' must be a Keyv instance/)]);
  });

  it('turns sameSite: false into no attribute', () => {
    expect(
      resolveSessionsOptions({}, { cookie: { sameSite: false } }).cookie
        .sameSite,
    ).toBeUndefined();
  });

  it('lists every problem at once', () => {
    const problems = problemsOf(() =>
      resolveSessionsOptions(
        { store: 'redis' as never, entity: Date as never, dataSource: '' },
        {
          cookie: {
            name: 'two words',
            maxAge: 1.5,
            domain: 'bad domain;',
            path: 'no-slash',
            secure: 'yes' as never,
            sameSite: 'sometimes' as never,
            expires: 3 as never,
          } as never,
          saveEveryRequest: 1 as never,
          requestContext: 'auto' as never,
          cookies: {} as never,
        } as never,
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^unknown option 'cookies' \(known options: store, entity, dataSource, cookie, saveEveryRequest, touchAfter, maxLifetime, hashKeys, expireAtBrowserClose, requestContext, cleanup, csrf, auth, secret, fallbackSecrets, cache, fileStore\)/,
      ),
      expect.stringMatching(
        /^'store' must be 'db', 'cached_db', 'cache', 'file', 'signed_cookies', a class that extends SessionStore or an instance of one, got 'redis'/,
      ),
      expect.stringMatching(
        /^'entity' must be SessionEntity or a class that extends AbstractSessionEntity, got class Date/,
      ),
      expect.stringMatching(
        /^'dataSource' must be the name of a TypeORM data source, got ''/,
      ),
      expect.stringMatching(/^unknown option 'cookie.expires'/),
      expect.stringMatching(/^'cookie.name' must be a cookie name/),
      expect.stringMatching(
        /^'cookie.maxAge' must be a whole number of seconds from 1 to 3153600000 \(100 years\), got 1.5/,
      ),
      expect.stringMatching(/^'cookie.domain' must be a host name/),
      expect.stringMatching(/^'cookie.path' must start with '\/'/),
      expect.stringMatching(
        /^'cookie.secure' must be true or false, got 'yes'/,
      ),
      expect.stringMatching(
        /^'cookie.sameSite' must be 'lax', 'strict', 'none' or false, got 'sometimes'/,
      ),
      expect.stringMatching(/^'saveEveryRequest' must be true or false, got 1/),
      expect.stringMatching(
        /^'requestContext' must be true or false, got 'auto'/,
      ),
    ]);
  });

  it('names a number JSON cannot write (NaN, from a setting that is not a number)', () => {
    expect(() =>
      resolveSessionsOptions({}, { cookie: { maxAge: Number('abc') } }),
    ).toThrow(
      "SessionsModule is misconfigured: 'cookie.maxAge' must be a whole number of seconds from 1 to 3153600000 (100 years), got NaN.",
    );
  });

  it('says so in one message', () => {
    expect(() => resolveSessionsOptions({}, { cookie: { maxAge: 0 } })).toThrow(
      "SessionsModule is misconfigured: 'cookie.maxAge' must be a whole number of seconds from 1 to 3153600000 (100 years), got 0.",
    );
  });

  it.each([
    [
      { sameSite: 'none' as const },
      /'cookie.sameSite' 'none' needs 'cookie.secure': true/,
    ],
    [
      { name: '__Secure-sid' },
      /cookie named '__Secure-sid' needs 'cookie.secure': true/,
    ],
    [
      { name: '__Host-sid', secure: true, path: '/app' },
      /cookie named '__Host-sid' needs 'cookie.path' '\/' and no 'cookie.domain'/,
    ],
    [{ path: '/a;b' }, /'cookie.path' must start with '\/' and hold no ';'/],
    [{ path: '/a\nSet-Cookie: x' }, /'cookie.path'/],
  ])(
    'rejects cookies browsers would drop or that would break the header: %p',
    (cookie, message) => {
      expect(problemsOf(() => resolveSessionsOptions({}, { cookie }))).toEqual([
        expect.stringMatching(message),
      ]);
    },
  );

  it('checks the cleanup options', () => {
    expect(
      problemsOf(() =>
        resolveSessionsOptions(
          {},
          {
            cleanup: {
              enabled: 'yes' as never,
              cron: '61 * * * *',
              timeZone: 'Mars/Olympus',
              mode: 'fast' as never,
              batchSize: 0,
              every: 'night',
            } as never,
          },
        ),
      ),
    ).toEqual([
      expect.stringMatching(/^unknown option 'cleanup.every'/),
      "'cleanup.enabled' must be true or false, got 'yes'.",
      expect.stringMatching(
        /^'cleanup.cron' must be a cron expression such as '0 3 \* \* \*', got '61 \* \* \* \*' \(.*out of range\)\.$/,
      ),
      "'cleanup.timeZone' must be an IANA time zone such as 'Europe/Paris', got 'Mars/Olympus'.",
      "'cleanup.mode' must be 'raw' or 'events', got 'fast'.",
      "'cleanup.batchSize' must be a whole number from 1 to 100000, got 0.",
    ]);
    expect(
      problemsOf(() =>
        resolveSessionsOptions({}, { cleanup: 'nightly' as never }),
      ),
    ).toEqual(["'cleanup' must be an object, got 'nightly'."]);
  });

  it('checks the csrf options', () => {
    const trustedOrigins = ['https://app.example.org', 'https://*.example.net'];
    expect(
      resolveSessionsOptions({}, { csrf: { trustedOrigins } }).csrf,
    ).toEqual({ trustedOrigins });
    for (const bad of [
      ['https://example.org/'],
      ['example.org'],
      ['https://example.org/path'],
      ['ftp://example.org'],
      'https://example.org',
    ]) {
      expect(
        problemsOf(() =>
          resolveSessionsOptions(
            {},
            { csrf: { trustedOrigins: bad as never } },
          ),
        ),
      ).toEqual([
        expect.stringMatching(
          /^'csrf.trustedOrigins' must be a list of origins such as 'https:\/\/example.com' or 'https:\/\/\*.example.com' \(scheme and host, no path\), got /,
        ),
      ]);
    }
    expect(
      problemsOf(() =>
        resolveSessionsOptions({}, { csrf: { origins: [] } as never }),
      ),
    ).toEqual(["unknown option 'csrf.origins' (known: trustedOrigins)."]);
  });

  it('checks the lifetimes', () => {
    expect(
      problemsOf(() =>
        resolveSessionsOptions(
          {},
          { touchAfter: 1.5, maxLifetime: 0, cookie: { maxAge: 60 } },
        ),
      ),
    ).toEqual([
      "'touchAfter' must be a whole number of seconds from 1 to 3153600000 (100 years), got 1.5.",
      "'maxLifetime' must be a whole number of seconds from 1 to 3153600000 (100 years), got 0.",
    ]);
    expect(
      problemsOf(() =>
        resolveSessionsOptions({}, { touchAfter: 60, cookie: { maxAge: 60 } }),
      ),
    ).toEqual([
      "'touchAfter' (60 s) must be shorter than 'cookie.maxAge' (60 s), or sessions would expire before a read refreshes them.",
    ]);
  });

  it('checks hashKeys', () => {
    expect(
      problemsOf(() =>
        resolveSessionsOptions({}, { hashKeys: 'yes' as never }),
      ),
    ).toEqual(["'hashKeys' must be true, false or 'migrate', got 'yes'."]);
  });

  it('checks the auth options', () => {
    expect(
      problemsOf(() =>
        resolveSessionsOptions(
          {},
          { auth: { currentHash: 'sha256', other: 1 } as never },
        ),
      ),
    ).toEqual([
      "unknown option 'auth.other' (known: currentHash).",
      "'auth.currentHash' must be a function from a user id to the user's auth hash (or null), got 'sha256'.",
    ]);
  });

  it('rejects options that are not an object', () => {
    expect(problemsOf(() => resolveSessionsOptions({}, null as never))).toEqual(
      ['SessionsModule.forRoot() must give an options object, got null.'],
    );
    expect(
      problemsOf(() => resolveSessionsOptions({}, { cookie: 'sid' as never })),
    ).toEqual([`'cookie' must be an object, got 'sid'.`]);
  });

  it('tells a factory that static options go beside it', () => {
    expect(
      problemsOf(() =>
        resolveSessionsOptions({}, { entity: CustomSession } as never, true),
      ),
    ).toEqual([
      expect.stringMatching(
        /^'entity' decides which providers exist, so it cannot come from the options factory: give it to SessionsModule.forRootAsync\(\) beside useFactory/,
      ),
    ]);
  });

  it('accepts a store instance', () => {
    const store = new SomeStore();
    expect(resolveStaticOptions({ store }).store).toBe(store);
  });
});
