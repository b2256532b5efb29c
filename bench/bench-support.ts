/** What the `npm run bench:*` scripts share: their database, arguments, progress and medians. */
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { DataSource } from 'typeorm';
import {
  type LocalPostgres,
  startLocalPostgres,
} from '../src/database/local-postgres.js';
import { typeOrmOptions } from '../src/database/typeorm-options.js';

/**
 * The benchmarks' PostgreSQL (embedded unless `DATABASE_URL` is set), with
 * the session table migrated; stopped on Ctrl-C as well as by `stop()`.
 */
export async function startBenchDatabase(): Promise<LocalPostgres> {
  const database = await startLocalPostgres({
    dataDir: '.data/bench-postgres',
    database: 'nest_sessions_bench',
    persistent: false,
  });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= database.stop());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  try {
    await migrate(database.url);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...database, stop };
}

async function migrate(url: string): Promise<void> {
  const dataSource = new DataSource(typeOrmOptions(url));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
  } finally {
    await dataSource.destroy();
  }
}

/** Progress, on stderr: stdout carries the report. */
export function progress(message: string): void {
  console.error(message);
}

export function wholeNumber(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new Error(`${name} must be a whole number ≥ 1, got '${value}'`);
  }
  return number;
}

/** The items of `all` named in the comma-separated `list` (option `name`), in their usual order. */
export function chosen<T extends { id: string }>(
  name: string,
  list: string,
  all: readonly T[],
): T[] {
  const names = list.split(',').map((item) => item.trim());
  const unknown = names.filter((n) => !all.some((item) => item.id === n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `${name} takes some of ${all.map((item) => item.id).join(', ')}; got '${list}'`,
    );
  }
  return all.filter((item) => names.includes(item.id));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The median over the repetitions of `a[rep] ÷ b[rep]`: the cases of a
 * repetition run one after another, so load that drifts over minutes on a
 * shared machine cancels out.
 */
export function medianRatio(a: number[], b: number[]): number {
  return median(a.map((value, rep) => value / b[rep]));
}

/** A target's line in a report. */
export function target(name: string, holds: boolean, figure: string): string {
  return `- ${holds ? 'PASS' : 'FAIL'}: ${name} (${figure})`;
}

/** A number with thousands separators. */
export function format(value: number): string {
  return value.toLocaleString('en-US');
}

/** The machine, for a report: CPU, cores and Node. */
export async function machine(): Promise<string> {
  return `${await cpuModel()}, ${cpus().length} cores, Node ${process.version}`;
}

/** The CPU's model name, as /proc/cpuinfo gives it. */
async function cpuModel(): Promise<string> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const line = cpuinfo.split('\n').find((l) => l.startsWith('model name'));
  return line?.split(':')[1]?.trim() ?? cpus()[0]?.model ?? 'unknown CPU';
}
