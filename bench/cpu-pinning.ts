/**
 * The server under test on a CPU of its own, the load generator on the
 * others. Left to the scheduler, the two move between the CPUs and take
 * turns on the same one; on a two-core machine the same server's CPU time
 * per request then moves by a third from one run to the next, more than
 * the differences measured. Pinned, it moves by under a tenth. PostgreSQL,
 * started before, keeps every CPU.
 */
import { execFileSync } from 'node:child_process';

/** How a benchmark's processes share the CPUs. */
export interface CpuPinning {
  /** Runs a server's process on its CPU (a `taskset` command line), or is empty. */
  readonly serverWrapper: readonly string[];
  /** For the report: which process runs where, or why they are not pinned. */
  readonly description: string;
}

/**
 * Pins this process (every thread: autocannon's too) to all the CPUs it may
 * use but the last, and returns how to run a server on the last; where it
 * cannot (one CPU, or no `taskset` from Debian's `util-linux`), says why.
 */
export function pinLoadAwayFromServer(): CpuPinning {
  let affinity: string;
  try {
    affinity = execFileSync('taskset', ['-cp', String(process.pid)], {
      encoding: 'utf8',
    });
  } catch {
    return unpinned('no taskset (util-linux) to pin them to CPUs');
  }
  // "pid 1229's current affinity list: 0,1"
  const cpus = cpuList(affinity.slice(affinity.lastIndexOf(':') + 1).trim());
  if (cpus.length < 2) {
    return unpinned('one CPU only');
  }
  const serverCpu = cpus[cpus.length - 1];
  const loadCpus = cpus.slice(0, -1).join(',');
  execFileSync('taskset', ['-a', '-cp', loadCpus, String(process.pid)], {
    stdio: 'ignore',
  });
  return {
    serverWrapper: ['taskset', '-c', String(serverCpu)],
    description: `server on CPU ${serverCpu}, autocannon on CPU ${loadCpus} (taskset); PostgreSQL on any`,
  };
}

/** Server and load left to the scheduler, for `reason`. */
export function unpinned(reason: string): CpuPinning {
  return {
    serverWrapper: [],
    description: `server and load share every CPU: ${reason}`,
  };
}

/** The CPUs of a list such as `0-3,6`. */
function cpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [first, last = first] = part.split('-').map(Number);
    if (!Number.isInteger(first) || !Number.isInteger(last)) {
      throw new Error(`Unexpected CPU list from taskset: "${list}".`);
    }
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}
