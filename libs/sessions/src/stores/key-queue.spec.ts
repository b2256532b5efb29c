import { KeyQueue } from './key-queue.js';

/** A task that waits for `release()`, noting when it starts and ends. */
function gatedTask(log: string[], name: string) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const task = async (): Promise<string> => {
    log.push(`${name} start`);
    await gate;
    log.push(`${name} end`);
    return name;
  };
  return { task, release };
}

describe('KeyQueue', () => {
  it('runs the tasks of one key one after another, in order', async () => {
    const queue = new KeyQueue();
    const log: string[] = [];
    const first = gatedTask(log, 'first');
    const second = gatedTask(log, 'second');

    const results = [queue.run('k', first.task), queue.run('k', second.task)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['first start']);

    first.release();
    second.release();
    expect(await Promise.all(results)).toEqual(['first', 'second']);
    expect(log).toEqual([
      'first start',
      'first end',
      'second start',
      'second end',
    ]);
  });

  it('runs the tasks of different keys side by side', async () => {
    const queue = new KeyQueue();
    const log: string[] = [];
    const a = gatedTask(log, 'a');
    const b = gatedTask(log, 'b');

    const results = [queue.run('a', a.task), queue.run('b', b.task)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['a start', 'b start']);

    a.release();
    b.release();
    await Promise.all(results);
  });

  it('goes on after a task fails, and forgets keys with nothing pending', async () => {
    const queue = new KeyQueue();

    const failed = queue.run('k', () => Promise.reject(new Error('boom')));
    const next = queue.run('k', () => Promise.resolve('next'));

    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('next');
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.size).toBe(0);
  });
});
