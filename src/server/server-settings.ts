/** Where and how the demo's HTTP server runs, from the environment. */
export interface ServerSettings {
  /** `PORT`: 3000 by default; 0 picks a free port. */
  readonly port: number;
  /**
   * `HOST`: the interface to listen on. `127.0.0.1` by default, so the demo
   * is reachable from this machine only; `0.0.0.0` in a container.
   */
  readonly host: string;
  /** `SHUTDOWN_TIMEOUT_MS`: how long a shutdown waits for requests in flight (10 s). */
  readonly shutdownTimeoutMs: number;
}

/** A setting with a bad value; its message says which and what it takes. */
export class SettingError extends Error {}

/** The server settings of `env`; throws a `SettingError` naming the first bad one. */
export function readServerSettings(env: NodeJS.ProcessEnv): ServerSettings {
  return {
    port: wholeNumber(env, 'PORT', 3000, 65535),
    host: hostOf(env.HOST),
    shutdownTimeoutMs: wholeNumber(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 600_000),
  };
}

function wholeNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  byDefault: number,
  max: number,
): number {
  const text = env[name];
  if (text === undefined || text === '') {
    return byDefault;
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new SettingError(
      `${name} must be a whole number from 0 to ${max}, got ${JSON.stringify(text)}.`,
    );
  }
  return value;
}

function hostOf(text: string | undefined): string {
  if (text === undefined || text === '') {
    return '127.0.0.1';
  }
  if (!/^[\w.:-]+$/.test(text)) {
    throw new SettingError(
      `HOST must be an IP address or a host name (127.0.0.1, 0.0.0.0, ::, localhost), got ${JSON.stringify(text)}.`,
    );
  }
  return text;
}
