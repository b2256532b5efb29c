import { TestEnvironment } from 'jest-environment-node';

/**
 * Jest's `node` environment, in which `process.on('warning', ...)` hears
 * the warnings Node emits, as it does outside Jest. Jest gives each test
 * file a copy of `process` with events of its own, while a warning from
 * `process.emitWarning()` or `util.deprecate()` (as pg's deprecations) is
 * emitted on the real one (jestjs/jest#8246): this environment passes those
 * on to the test file's `process`.
 *
 * A test file chooses it with a docblock at its top:
 * `@jest-environment <rootDir>/test/setup/process-warnings.environment.ts`.
 */
export default class ProcessWarningsEnvironment extends TestEnvironment {
  private readonly forward = (warning: Error): void => {
    this.global.process.emit('warning', warning);
  };

  override async setup(): Promise<void> {
    await super.setup();
    process.on('warning', this.forward);
  }

  override async teardown(): Promise<void> {
    process.off('warning', this.forward);
    await super.teardown();
  }
}
