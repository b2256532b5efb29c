import {
  type SessionStore,
  SessionsModule,
  SessionStore as SessionStoreToken,
} from 'nest-sessions';
import { describeSessionStoreContract } from 'nest-sessions/testing';
import { type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { MapSessionStore, SESSION_MAP } from './support/map-session.store.js';
import {
  SessionProbeController,
  RequestGate,
} from './support/session-probe.controller.js';
import { silentLogger } from './support/sessions-testing-module.js';
import { sessionKeyFrom } from './support/test-app.js';

// The app's own store passes the same contract as the module's stores.
describeSessionStoreContract('an app’s own store (MapSessionStore)', () => {
  const store = new MapSessionStore();
  return {
    store,
    corrupt: (key) => {
      store.entries.get(key)!.data = '{"truncated": ';
      return Promise.resolve(key);
    },
  };
});

/** Where the app keeps the `Map` its store uses. */
@Module({
  providers: [{ provide: SESSION_MAP, useValue: new Map() }],
  exports: [SESSION_MAP],
})
class SessionMapModule {}

describe('An app’s own store', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function serve(
    sessions: Parameters<typeof SessionsModule.forRootAsync>[0],
  ) {
    const moduleRef = await Test.createTestingModule({
      imports: [SessionsModule.forRootAsync(sessions)],
      controllers: [SessionProbeController],
      providers: [RequestGate],
    })
      .setLogger(silentLogger)
      .compile();
    app = await moduleRef
      .createNestApplication({ logger: silentLogger })
      .init();
    return app;
  }

  it('is built by Nest from its class, with its dependencies injected', async () => {
    const served = await serve({
      store: MapSessionStore,
      imports: [SessionMapModule],
      useFactory: () => ({ cleanup: { enabled: false } }),
    });
    const entries = served.get<Map<string, unknown>>(SESSION_MAP);

    const response = await request(served.getHttpServer()).get(
      '/set?color=teal',
    );
    const key = sessionKeyFrom(response.headers)!;

    expect(served.get(SessionStoreToken)).toBeInstanceOf(MapSessionStore);
    expect([...entries.keys()]).toEqual([key]);
    const read = await request(served.getHttpServer())
      .get('/read')
      .set('Cookie', `sessionid=${key}`);
    expect(read.body).toEqual({ color: 'teal' });
  });

  it('is used as given, as an instance', async () => {
    const store: SessionStore = new MapSessionStore();
    const served = await serve({
      store,
      useFactory: () => ({ cleanup: { enabled: false } }),
    });

    const response = await request(served.getHttpServer()).get('/set?n=1');

    expect(served.get(SessionStoreToken)).toBe(store);
    expect(await store.load(sessionKeyFrom(response.headers)!)).toEqual({
      n: '1',
    });
  });
});
