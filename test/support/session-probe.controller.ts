import { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { CurrentSession, Session, SessionService } from 'nest-sessions';
import {
  BadRequestException,
  type CanActivate,
  Controller,
  Get,
  Header,
  HttpCode,
  Injectable,
  Query,
  Res,
  StreamableFile,
  UseGuards,
} from '@nestjs/common';

/**
 * Lets a test hold a request inside its handler: the handler calls `enter()`
 * and waits; the test awaits `entered` and calls `release()`.
 */
@Injectable()
export class RequestGate {
  entered!: Promise<void>;
  private arrive!: () => void;
  private open!: () => void;
  private opened!: Promise<void>;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.entered = new Promise((resolve) => (this.arrive = resolve));
    this.opened = new Promise((resolve) => (this.open = resolve));
  }

  async enter(): Promise<void> {
    this.arrive();
    await this.opened;
  }

  release(): void {
    this.open();
  }
}

/** Lets in only sessions that hold a `user`: a guard that reads the session. */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  async canActivate(): Promise<boolean> {
    const session = await this.sessions.current();
    return session.has('user');
  }
}

/** Refuses every request, after noting the refusal in the session. */
@Injectable()
export class RefusingGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  async canActivate(): Promise<boolean> {
    const session = await this.sessions.current();
    session.set('refused', true);
    return false;
  }
}

/** Routes that use the session in every way the HTTP tests need. */
@Controller()
export class SessionProbeController {
  constructor(
    private readonly sessions: SessionService,
    private readonly gate: RequestGate,
  ) {}

  @Get('none')
  none() {
    return { ok: true };
  }

  @Get('read')
  read(@CurrentSession() session: Session) {
    return session.toJSON();
  }

  @Get('set')
  set(
    @CurrentSession() session: Session,
    @Query() values: Record<string, string>,
  ) {
    session.update(values);
    return session.toJSON();
  }

  /** `?key=visits&by=2`: `session.increment(key, by)`; by default 1. */
  @Get('increment')
  increment(
    @CurrentSession() session: Session,
    @Query('key') key: string,
    @Query('by') by?: string,
  ) {
    return { value: session.increment(key, by === undefined ? 1 : Number(by)) };
  }

  @Get('remove')
  remove(@CurrentSession() session: Session, @Query('key') key: string) {
    return { removed: session.delete(key) };
  }

  @Get('clear')
  clear(@CurrentSession() session: Session) {
    session.clear();
    return {};
  }

  @Get('flush')
  async flush(@CurrentSession() session: Session) {
    await session.flush();
    return {};
  }

  @Get('expiry')
  expiry(
    @CurrentSession() session: Session,
    @Query('seconds') seconds: string,
  ) {
    session.setExpiry(Number(seconds));
    session.set('expiring', true);
    return {};
  }

  @Get('service')
  async service(@Query('key') key: string) {
    const session = await this.sessions.current();
    session.set(key, 'from the service');
    return session.toJSON();
  }

  @Get('vary')
  @Header('Vary', 'Accept-Encoding')
  vary(@CurrentSession() session: Session) {
    return { value: session.get('value') ?? null };
  }

  @Get('crash')
  crash(@CurrentSession() session: Session) {
    session.set('lost', true);
    throw new Error('the handler failed');
  }

  /** A login that fails after the key changed. */
  @Get('cycle-crash')
  async cycleCrash(@CurrentSession() session: Session) {
    await session.cycleKey();
    session.set('lost', true);
    throw new Error('the handler failed after cycleKey()');
  }

  @Get('reject')
  reject(@CurrentSession() session: Session) {
    session.set('kept', true);
    throw new BadRequestException('rejected, but the session change stands');
  }

  @Get('declared-500')
  @HttpCode(500)
  declared500(@CurrentSession() session: Session) {
    session.set('lost', true);
    return {};
  }

  @Get('passthrough-503')
  passthrough503(
    @CurrentSession() session: Session,
    @Res({ passthrough: true }) response: { status(code: number): unknown },
  ) {
    session.set('lost', true);
    response.status(503);
    return {};
  }

  @Get('members')
  @UseGuards(SignedInGuard)
  members() {
    return { welcome: true };
  }

  @Get('refused')
  @UseGuards(RefusingGuard)
  refused() {
    return {};
  }

  /**
   * Answers through the Node response itself, without `passthrough` (on
   * Fastify, `@Res()` is the reply, whose `raw` is the Node response).
   */
  @Get('raw')
  raw(
    @CurrentSession() session: Session,
    @Res() response: ServerResponse | { raw: ServerResponse },
    @Query('vary') vary?: string,
  ) {
    session.set('raw', true);
    const nodeResponse = 'raw' in response ? response.raw : response;
    nodeResponse.writeHead(200, {
      'Content-Type': 'text/plain',
      ...(vary !== undefined && { Vary: vary }),
    });
    nodeResponse.end('written by hand');
  }

  /** A body in several chunks, streamed after the session changed. */
  @Get('stream')
  stream(@CurrentSession() session: Session, @Query('chunks') chunks: string) {
    session.set('streamed', true);
    const parts = Array.from(
      { length: Number(chunks) },
      (_, index) => `chunk ${index};`,
    );
    return new StreamableFile(Readable.from(parts), { type: 'text/plain' });
  }

  @Get('slow')
  async slow(@CurrentSession() session: Session) {
    await this.gate.enter();
    session.set('late', true);
    return {};
  }
}
