import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The pages whose TypeScript a user copies. */
async function pages(): Promise<string[]> {
  const docs = (await readdir('docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name));
  return ['README.md', 'libs/sessions/README.md', ...docs.sort()];
}

/** Each ```ts block of `page`, with the line its code starts on. */
async function blocksOf(
  page: string,
): Promise<{ line: number; code: string }[]> {
  const text = await readFile(page, 'utf8');
  const blocks: { line: number; code: string }[] = [];
  for (const match of text.matchAll(
    /^```(?:ts|typescript)\n([\s\S]*?)^```$/gm,
  )) {
    const line = text.slice(0, match.index).split('\n').length + 1;
    blocks.push({ line, code: match[1] });
  }
  return blocks;
}

/**
 * Every ```ts block of the README and docs/ compiles on its own against the
 * installed package (the build in libs/sessions/dist), strict, as an app's
 * module: what a user copies works.
 */
describe('TypeScript in the README and docs/', () => {
  const folder = join('.data', `docs-code-${process.pid}`);

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('type-checks, block by block', async () => {
    await mkdir(folder, { recursive: true });
    const files: string[] = [];
    for (const page of await pages()) {
      for (const { line, code } of await blocksOf(page)) {
        // Named after the page and line, which tsc's errors then show.
        const file = `${page.replaceAll('/', '__')}-L${line}.ts`;
        await writeFile(join(folder, file), code);
        files.push(file);
      }
    }
    await writeFile(
      join(folder, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.base.json',
        compilerOptions: { types: ['node', 'jest'] },
        include: ['*.ts'],
      }),
    );

    expect(files.length).toBeGreaterThan(10);
    // tsc exits with 0 only when every block compiles; its errors name them.
    const checked = await run('node_modules/.bin/tsc', [
      '-p',
      join(folder, 'tsconfig.json'),
    ]).then(
      () => 'compiled',
      (error: { stdout: string; stderr: string }) =>
        `${error.stdout}${error.stderr}`,
    );
    expect(checked).toBe('compiled');
  }, 120_000);
});
