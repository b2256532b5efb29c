import type { ChildProcess } from 'node:child_process';

/**
 * What a child process prints (stdout and stderr, as one text), and its
 * exit code, for tests that wait on a program's output.
 */
export class ChildOutput {
  /** Everything printed so far. */
  text = '';
  /** The exit code (`null` after a signal), once the process has exited. */
  readonly exited: Promise<number | null>;
  private readonly waiting = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    const collect = (chunk: Buffer): void => {
      this.text += chunk.toString();
      for (const check of [...this.waiting]) check();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.exited = new Promise((done) => child.once('exit', done));
  }

  /** The match once the output matches `pattern`; rejects with the output if the process exits first. */
  matching(pattern: RegExp): Promise<RegExpExecArray> {
    return new Promise((found, failed) => {
      const check = (): void => {
        const match = pattern.exec(this.text);
        if (match) {
          this.waiting.delete(check);
          found(match);
        }
      };
      this.waiting.add(check);
      check();
      void this.exited.then((code) =>
        failed(new Error(`exited (${code}) before ${pattern}:\n${this.text}`)),
      );
    });
  }
}
