import { execFileSync, spawnSync } from 'node:child_process';

/** A program the tests start, and the Debian package that has it. */
interface RequiredTool {
  readonly command: string;
  readonly debianPackage: string;
  readonly neededFor: string;
}

const REQUIRED_TOOLS: readonly RequiredTool[] = [
  {
    command: 'redis-server',
    debianPackage: 'redis-server',
    neededFor: "the 'cache' and 'cached_db' store tests",
  },
  {
    command: 'chromium',
    debianPackage: 'chromium',
    neededFor: "the demo's browser test",
  },
];

/**
 * Makes sure the programs the tests start are on PATH: installs the missing
 * ones with apt-get where it can (root on Debian or Ubuntu, as `.ci/run`
 * does), else stops the run at once with one line that says what to install.
 */
export function ensureRequiredTools(): void {
  const missing = REQUIRED_TOOLS.filter(({ command }) => !onPath(command));
  if (missing.length === 0) {
    return;
  }
  const packages = missing.map(({ debianPackage }) => debianPackage);
  if (canInstallWithApt()) {
    console.log(`npm test: installing ${packages.join(', ')} with apt-get`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    execFileSync(
      'apt-get',
      ['install', '-y', '-qq', '--no-install-recommends', ...packages],
      { stdio: 'ignore', env },
    );
    if (missing.every(({ command }) => onPath(command))) {
      return;
    }
  }
  const needs = missing
    .map(({ command, neededFor }) => `${command} (${neededFor})`)
    .join(', ');
  process.stderr.write(
    `npm test needs ${needs} on PATH: install ${missing.length === 1 ? 'it' : 'them'} (Debian/Ubuntu: apt-get install ${packages.join(' ')}; macOS: brew install redis chromium) and run again.\n`,
  );
  process.exit(1);
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

function canInstallWithApt(): boolean {
  return process.getuid?.() === 0 && onPath('apt-get');
}
