import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/**
 * The CPU time a process has used so far (user + system), in seconds, from
 * Linux's `/proc`; `undefined` where there is none.
 */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) {
    return undefined;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  ticksPerSecond ??= Number(
    execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }),
  );
  // The fields after the command name, which may hold spaces: utime and
  // stime are the 14th and 15th of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
