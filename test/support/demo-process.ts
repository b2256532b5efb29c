import { spawn } from 'node:child_process';
import { ChildOutput } from './child-output.js';

/** The built demo (`dist/src/main.js`), as `npm start` runs it. */
const MAIN = ['dist/src/main.js'];

/** The demo from its sources, compiled as it loads: for `npm test`, which builds only the library. */
export const DEMO_FROM_SOURCE = [
  '--import',
  '@swc-node/register/esm-register',
  'src/main.ts',
];

/**
 * The demo in a process of its own (the built one unless `argv` says
 * otherwise), on a free port of 127.0.0.1, with `env` beside the test's
 * environment (DATABASE_URL unset unless given).
 */
export class DemoProcess {
  private constructor(
    readonly output: ChildOutput,
    readonly url: string,
  ) {}

  static async start(
    env: NodeJS.ProcessEnv,
    argv: readonly string[] = MAIN,
  ): Promise<DemoProcess> {
    const environment: NodeJS.ProcessEnv = { ...process.env };
    delete environment.DATABASE_URL;
    const child = spawn(process.execPath, argv, {
      env: {
        ...environment,
        PORT: '0',
        HOST: '127.0.0.1',
        NO_COLOR: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = new ChildOutput(child);
    const [, url] = await output.matching(
      /nest-sessions demo on (http:\/\/[^/\s]+)\//,
    );
    return new DemoProcess(output, url);
  }

  get pid(): number {
    return this.output.child.pid!;
  }

  /** The lines it has logged so far. */
  get lines(): string[] {
    return this.output.text.split('\n').filter((line) => line !== '');
  }

  /** Lines logged since `from` lines had been logged. */
  linesSince(from: number): string[] {
    return this.lines.slice(from);
  }

  /** Sends `signal`; resolves with the exit code once it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    this.output.child.kill(signal);
    return this.output.exited;
  }

  /** Whether the process still runs. */
  get running(): boolean {
    return (
      this.output.child.exitCode === null &&
      this.output.child.signalCode === null
    );
  }
}
