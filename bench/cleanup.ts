/**
 * `npm run bench:cleanup [-- --rows N --reps R --cases a,b --case-heap-mb M]`:
 * how fast each way of deleting expired sessions is, on a table of N expired
 * and N live sessions (`--cases`: some of floor, raw, raw-hook, events,
 * naive, visitors). `--case-heap-mb` caps each case's V8 heap
 * (`--max-old-space-size`): a case whose memory grew with N would fail.
 *
 * Each case runs in a child process (`cleanup-case.ts`) on a freshly filled
 * table; repetitions interleave the cases; the report gives medians, as a
 * markdown table on stdout (progress goes to stderr). Ratios between cases
 * are the median of the ratios within each repetition, whose cases run one
 * after another: load on a shared machine that drifts over minutes cancels.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve as absolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  chosen,
  format,
  machine,
  median,
  medianRatio,
  target,
  progress,
  startBenchDatabase,
  wholeNumber,
} from './bench-support.js';
import { sessionFolder } from '../src/uploads/upload-files.js';
import {
  BENCH_UPLOADS,
  CLEANUP_CASES,
  type CaseResult,
  type CleanupCase,
} from './cleanup-cases.js';

// Compiled by `nest build` like the app (the TypeScript loader alone would add ~170 MB of RSS).
const CHILD = fileURLToPath(new URL('./cleanup-case.js', import.meta.url));

/**
 * Fills the table as years of traffic would: the heap in expiry order, N rows
 * expired over the last 14 days, then N live ones over the next 14. The live
 * half starts a day ahead, so that none expires while a case runs.
 */
const POPULATE = `
  INSERT INTO session (session_key, session_data, expire_date)
  SELECT md5(i::text || random()::text),
         jsonb_build_object('visits', 1 + i % 9, 'cart', jsonb_build_array(i % 5, i % 7)),
         now() - interval '14 days' + i * (interval '28 days' / (2 * $1::int))
           + CASE WHEN i > $1::int THEN interval '1 day' ELSE interval '0' END
  FROM generate_series(1, 2 * $1::int) AS i`;

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    reps: { type: 'string', default: '3' },
    cases: {
      type: 'string',
      default: CLEANUP_CASES.map((c) => c.id).join(','),
    },
    'case-heap-mb': { type: 'string' },
  },
});
const rows = wholeNumber('--rows', args.rows);
const reps = wholeNumber('--reps', args.reps);
const cases = chosen('--cases', args.cases, CLEANUP_CASES);
const caseArgs =
  args['case-heap-mb'] === undefined
    ? []
    : [
        `--max-old-space-size=${wholeNumber('--case-heap-mb', args['case-heap-mb'])}`,
      ];

const database = await startBenchDatabase();
if (!database.embedded) {
  progress(
    'Using DATABASE_URL: its session table is emptied before each case.',
  );
}

const client = new pg.Client({ connectionString: database.url });
try {
  await client.connect();
  const results = new Map<CleanupCase, CaseResult[]>(cases.map((c) => [c, []]));
  for (let rep = 1; rep <= reps; rep++) {
    for (const c of cases) {
      const n = rowsOf(c);
      progress(`rep ${rep}/${reps}, ${c.label}: filling ${2 * n} rows...`);
      await populate(n);
      if (c.id === 'visitors') {
        await addVisitorData();
      }
      const result = await runCase(c, database.url);
      await checkRemaining(c, n, result);
      progress(
        `rep ${rep}/${reps}, ${c.label}: ${result.deleted} rows in ${Math.round(result.totalMs)} ms, ` +
          `peak RSS ${Math.round(result.peakRssMb)} MB, heap after ${Math.round(result.heapAfterMb)} MB, ` +
          `longest statement ${Math.round(result.longestStatementMs)} ms: ${result.longestStatement}`,
      );
      results.get(c)?.push(result);
    }
  }
  console.log(await report(results));
} finally {
  await client.end().catch(() => undefined);
  await database.stop();
}

/** Rows expired (and rows live) in the table of case `c`. */
function rowsOf(c: CleanupCase): number {
  return Math.max(1, Math.floor(rows / c.scale));
}

/** Empties the table, fills it with n expired and n live rows, then settles it. */
async function populate(n: number): Promise<void> {
  await client.query('TRUNCATE session');
  await client.query(POPULATE, [n]);
  await client.query('VACUUM ANALYZE session');
  await client.query('CHECKPOINT');
}

/**
 * Gives every session (expired and live) what a visitor of the demo makes:
 * a note, an upload row, and the upload's small file in the session's
 * folder under `BENCH_UPLOADS`.
 */
async function addVisitorData(): Promise<void> {
  await client.query('TRUNCATE note, upload');
  await rm(BENCH_UPLOADS, { recursive: true, force: true });
  await client.query(
    `INSERT INTO note (session_key, text) SELECT session_key, 'a note' FROM session`,
  );
  await client.query(
    `INSERT INTO upload (id, session_key, name, content_type, size)
     SELECT gen_random_uuid(), session_key, 'notes.txt', 'text/plain; charset=utf-8', 12
     FROM session`,
  );
  // Page by page: the bench's own memory stays small whatever N.
  for (let after = '00000000-0000-0000-0000-000000000000'; ;) {
    const { rows: uploads } = await client.query<{ id: string; key: string }>(
      'SELECT id, session_key AS key FROM upload WHERE id > $1 ORDER BY id LIMIT 10000',
      [after],
    );
    if (uploads.length === 0) {
      break;
    }
    for (const { id, key } of uploads) {
      const folder = sessionFolder(BENCH_UPLOADS, key);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, id), 'hello world\n');
    }
    after = uploads[uploads.length - 1].id;
  }
  await client.query('VACUUM ANALYZE note, upload');
  await client.query('CHECKPOINT');
}

function runCase(c: CleanupCase, url: string): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, ...caseArgs, CHILD, c.id],
      {
        env: {
          ...process.env,
          DATABASE_URL: url,
          UPLOADS_PATH: absolute(BENCH_UPLOADS),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(
          new Error(
            `The ${c.label} case failed (exit ${signal ?? code}); its output:\n${stdout}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(last) as CaseResult);
    });
  });
}

/** Fails unless the case deleted every expired row and nothing else. */
async function checkRemaining(
  c: CleanupCase,
  n: number,
  result: CaseResult,
): Promise<void> {
  const {
    rows: [left],
  } = await client.query<{ expired: number; live: number }>(
    `SELECT count(*) FILTER (WHERE expire_date < now())::int AS expired,
            count(*) FILTER (WHERE expire_date >= now())::int AS live
     FROM session`,
  );
  if (left.expired !== 0 || left.live !== n || result.deleted !== n) {
    throw new Error(
      `The ${c.label} case should delete ${n} expired rows and keep ${n} live ones: ` +
        `it reports ${result.deleted} deleted, and ${left.expired} expired and ` +
        `${left.live} live rows remain.`,
    );
  }
  if (c.id === 'visitors') {
    await checkVisitorData(c, n);
  }
}

/** Fails unless only the live sessions' notes, uploads and folders remain. */
async function checkVisitorData(c: CleanupCase, n: number): Promise<void> {
  const {
    rows: [left],
  } = await client.query<{ notes: number; uploads: number; orphans: number }>(
    `SELECT (SELECT count(*) FROM note)::int AS notes,
            (SELECT count(*) FROM upload)::int AS uploads,
            (SELECT count(*) FROM upload u WHERE NOT EXISTS
               (SELECT 1 FROM session s WHERE s.session_key = u.session_key))::int AS orphans`,
  );
  const folders = (await readdir(BENCH_UPLOADS)).length;
  if (
    left.notes !== n ||
    left.uploads !== n ||
    left.orphans !== 0 ||
    folders !== n
  ) {
    throw new Error(
      `The ${c.label} case should leave the ${n} live sessions' rows and folders only: ` +
        `${left.notes} notes, ${left.uploads} uploads (${left.orphans} of gone sessions) ` +
        `and ${folders} folders remain.`,
    );
  }
  await rm(BENCH_UPLOADS, { recursive: true, force: true });
}

async function report(results: Map<CleanupCase, CaseResult[]>) {
  const summaries = new Map(
    [...results].map(([c, runs]) => {
      const ms = median(runs.map((r) => r.totalMs));
      const deleted = runs[0].deleted;
      return [
        c.id,
        {
          c,
          runs,
          deleted,
          ms,
          longestMs: median(runs.map((r) => r.longestStatementMs)),
          worstLongestMs: Math.max(...runs.map((r) => r.longestStatementMs)),
          rssMb: median(runs.map((r) => r.peakRssMb)),
          worstRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
          bootRssMb: median(runs.map((r) => r.bootRssMb)),
          worstRssGrowthMb: Math.max(...runs.map((r) => r.deletionRssGrowthMb)),
        },
      ];
    }),
  );
  const floor = summaries.get('floor');
  const raw = summaries.get('raw');
  const events = summaries.get('events');
  const naive = summaries.get('naive');
  const visitors = summaries.get('visitors');
  const scaled = [...summaries.values()].find((s) => s.c.scale !== 1);

  const [{ version }] = (
    await client.query<{ version: string }>('SELECT version()')
  ).rows;
  const targets = [
    floor &&
      raw && [
        target(
          'raw ≤ 1.2× floor time',
          pairedRatio(raw.runs, floor.runs) <= 1.2,
          `${pairedRatio(raw.runs, floor.runs).toFixed(2)}×`,
        ),
      ],
    raw && [
      target(
        'no raw statement > 250 ms',
        raw.worstLongestMs <= 250,
        `longest ${raw.worstLongestMs.toFixed(1)} ms, worst repetition`,
      ),
      target(
        'raw peak RSS ≤ 150 MB',
        raw.worstRssMb <= 150,
        `${raw.worstRssMb.toFixed(0)} MB, worst repetition; ` +
          `${raw.bootRssMb.toFixed(0)} MB already after booting the app, ` +
          `which the deletion raised by at most ${raw.worstRssGrowthMb.toFixed(0)} MB`,
      ),
    ],
    naive &&
      events && [
        target(
          'events ≥ 10× faster per row than naive',
          pairedRatio(naive.runs, events.runs) >= 10,
          `${pairedRatio(naive.runs, events.runs).toFixed(1)}× faster`,
        ),
      ],
    raw &&
      events && [
        target(
          'events within 4× of raw per row',
          pairedRatio(events.runs, raw.runs) <= 4,
          `${pairedRatio(events.runs, raw.runs).toFixed(2)}× raw`,
        ),
      ],
    visitors && [
      target(
        'raw + rows + files peak RSS ≤ 150 MB',
        visitors.worstRssMb <= 150,
        `${visitors.worstRssMb.toFixed(0)} MB, worst repetition` +
          (raw
            ? `; time per session ${pairedRatio(visitors.runs, raw.runs).toFixed(2)}× raw alone's`
            : ''),
      ),
    ],
  ].flatMap((lines) => lines || []);
  const lines = [
    `## Cleanup benchmark`,
    '',
    `- ${format(rows)} expired + ${format(rows)} live rows per case` +
      (scaled
        ? ` (scaled cases: N/${scaled.c.scale} = ${format(rowsOf(scaled.c))} + ${format(rowsOf(scaled.c))})`
        : '') +
      `, ${reps} repetition${reps === 1 ? '' : 's'}, medians ` +
      '(ratios: the median of the ratios within each repetition); ' +
      `batch size: the library's default`,
    `- ${await machine()}`,
    `- ${version}${database.embedded ? ' (embedded)' : ' (DATABASE_URL)'}`,
    "- peak RSS: the maxRSS of the case's process, compiled JavaScript as in production",
    '',
    '| case | rows deleted | total (s) | rows/s | time per row vs floor | longest statement (ms) | peak RSS (MB) |',
    '|---|--:|--:|--:|--:|--:|--:|',
    ...[...summaries.values()].map(
      (s) =>
        `| ${s.c.label}${s.c.scale === 1 ? '' : ` (scaled: N/${s.c.scale} rows)`} ` +
        `| ${format(s.deleted)} | ${(s.ms / 1000).toFixed(3)} ` +
        `| ${format(Math.round((s.deleted / s.ms) * 1000))} ` +
        `| ${floor ? `${pairedRatio(s.runs, floor.runs).toFixed(2)}×` : '–'} ` +
        `| ${s.longestMs.toFixed(1)} | ${s.rssMb.toFixed(0)} |`,
    ),
    ...(targets.length > 0 ? ['', '### Targets', '', ...targets] : []),
  ];
  return lines.join('\n');
}

/** The median over the repetitions of `a`'s time per row ÷ `b`'s. */
function pairedRatio(a: CaseResult[], b: CaseResult[]): number {
  const perRow = (run: CaseResult) => run.totalMs / run.deleted;
  return medianRatio(a.map(perRow), b.map(perRow));
}
