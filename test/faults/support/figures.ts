import { appendFileSync } from 'node:fs';

/**
 * Prints a fault case's figures on one line, `[fault] <case>: a=1, b=2`;
 * with `FAULT_FIGURES_FILE` set, appends them there too (as a JSON line),
 * for the table in docs/operations.md.
 */
export function printFigures(
  name: string,
  figures: Record<string, number | string>,
): void {
  const line = Object.entries(figures)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  process.stdout.write(`[fault] ${name}: ${line}\n`);
  const file = process.env.FAULT_FIGURES_FILE;
  if (file) {
    appendFileSync(file, `${JSON.stringify({ name, ...figures })}\n`);
  }
}
