import { readServerSettings, SettingError } from './server-settings.js';

describe('readServerSettings', () => {
  it('listens on 127.0.0.1:3000 and waits 10 s at shutdown by default', () => {
    expect(readServerSettings({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      shutdownTimeoutMs: 10_000,
    });
  });

  it('takes PORT, HOST and SHUTDOWN_TIMEOUT_MS', () => {
    expect(
      readServerSettings({
        PORT: '0',
        HOST: '0.0.0.0',
        SHUTDOWN_TIMEOUT_MS: '2500',
      }),
    ).toEqual({ port: 0, host: '0.0.0.0', shutdownTimeoutMs: 2500 });
  });

  it.each([
    [
      { PORT: '80a' },
      'PORT must be a whole number from 0 to 65535, got "80a".',
    ],
    [
      { PORT: '70000' },
      'PORT must be a whole number from 0 to 65535, got "70000".',
    ],
    [
      { SHUTDOWN_TIMEOUT_MS: '-1' },
      'SHUTDOWN_TIMEOUT_MS must be a whole number from 0 to 600000, got "-1".',
    ],
    [
      { HOST: 'my host' },
      'HOST must be an IP address or a host name (127.0.0.1, 0.0.0.0, ::, localhost), got "my host".',
    ],
  ])('says what is wrong with %j', (env, message) => {
    expect(() => readServerSettings(env)).toThrow(new SettingError(message));
  });
});
