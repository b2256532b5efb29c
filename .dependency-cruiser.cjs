// The library's layers, as docs/architecture.md draws them; `npm run lint`
// checks them with dependency-cruiser (`npm run lint:layers`).
//
// From the top: the module (sessions.module.ts, sessions.providers.ts) ->
// csrf (-> http), http, cleanup, health -> session -> options -> stores -> entities, migrations ->
// errors, sessions.constants.ts. A folder imports only from layers below it.
const SRC = '^libs/sessions/src/';

/** A rule that `from` (a folder or file of src) imports none of `to`. */
function below(name, from, to, comment) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: `${SRC}${from}` },
    to: { path: to.map((path) => `${SRC}${path}`) },
  };
}

const MODULE = '(sessions\\.module|sessions\\.providers|index)\\.ts$';

/**
 * The layers from the top down to the stores, in order: each below the
 * session model imports none of those above it.
 */
const TOP = [MODULE, 'csrf/', 'http/', 'cleanup/', 'health/'];
const ABOVE_OPTIONS = [...TOP, 'session/'];
const ABOVE_STORES = [...ABOVE_OPTIONS, 'options/'];
const ABOVE_DATABASE = [...ABOVE_STORES, 'stores/'];

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment:
        'Imports point one way: no file reaches itself through its imports.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-barrel-inside',
      comment:
        'index.ts is what users import; the library imports the files themselves.',
      severity: 'error',
      from: { path: SRC, pathNot: `${SRC}testing/` },
      to: { path: `${SRC}index\\.ts$` },
    },
    below(
      'csrf-below-module',
      'csrf/',
      [MODULE, 'cleanup/', 'health/'],
      'CSRF checks requests on top of the request layer; it knows no cleanup.',
    ),
    below(
      'health-below-module',
      'health/',
      [MODULE, 'csrf/', 'http/'],
      'Health reads the store and the cleanup; it knows no request.',
    ),
    below(
      'http-below-module',
      'http/',
      [MODULE, 'csrf/', 'cleanup/', 'health/'],
      'The request layer knows sessions, options and stores, not the module or the cleanup.',
    ),
    below(
      'cleanup-below-module',
      'cleanup/',
      [MODULE, 'csrf/', 'http/', 'health/', 'session/'],
      'The cleanup works on the database table; it knows no request and no Session.',
    ),
    below(
      'session-below-http',
      'session/',
      TOP,
      'The session model knows no HTTP and no cleanup.',
    ),
    below(
      'options-below-session',
      'options/',
      ABOVE_OPTIONS,
      'Options are plain data: they import no model, only the store and entity types they name.',
    ),
    below(
      'stores-below-options',
      'stores/',
      ABOVE_STORES,
      'Stores keep sessions; they know nothing of requests, the Session class, the module or its options.',
    ),
    {
      name: 'store-folders-apart',
      comment:
        'Each store folder holds what only it uses; the cache stores build on the db store.',
      severity: 'error',
      from: { path: `${SRC}stores/([^/]+)/` },
      to: {
        path: `${SRC}stores/[^/]+/`,
        pathNot: [`${SRC}stores/$1/`, `${SRC}stores/db/`],
      },
    },
    below(
      'only-cache-on-db',
      'stores/(file|signed-cookies)/',
      ['stores/db/'],
      'Only the cache stores build on the db store.',
    ),
    below(
      'stores-root-below-folders',
      'stores/[^/]+\\.ts$',
      ['stores/(cache|db|file|signed-cookies)/'],
      "What all stores share does not depend on one store's folder.",
    ),
    below(
      'database-below-stores',
      '(entities|migrations)/',
      ABOVE_DATABASE,
      'The entity and its migrations describe the table; they import no code that uses it.',
    ),
    below(
      'errors-at-the-bottom',
      'errors/',
      [...ABOVE_DATABASE, 'entities/', 'migrations/'],
      'Errors import nothing of the library but other errors.',
    ),
    below(
      'constants-at-the-bottom',
      'sessions\\.constants\\.ts$',
      ['.'],
      'The constants import nothing of the library.',
    ),
    {
      name: 'no-test-code-in-the-library',
      comment:
        'The package ships src/ only; specs may use test helpers, the library may not.',
      severity: 'error',
      from: { path: SRC, pathNot: '\\.spec\\.ts$' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    // The library, and what it must not reach: test and bench code.
    includeOnly: '^(libs/sessions/src|test|bench)/',
    tsConfig: { fileName: 'libs/sessions/tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
