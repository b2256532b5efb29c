import { SessionService } from 'nest-sessions';
import { setTimeout as delay } from 'node:timers/promises';
import { BadRequestException, Controller, Get, Query } from '@nestjs/common';

/** The longest wait `/counter/slow` takes. */
const MAX_DELAY_MS = 5000;

/** A visit counter, through the injectable `SessionService`. */
@Controller('counter')
export class CounterController {
  constructor(private readonly sessions: SessionService) {}

  @Get()
  async count() {
    const session = await this.sessions.current();
    // Added to the stored count in SQL: concurrent visits all count.
    return { visits: session.increment('visits') };
  }

  /**
   * The same count, answered after `ms` milliseconds (default 300): a
   * request long enough in flight to watch a shutdown finish it.
   */
  @Get('slow')
  async countSlowly(@Query('ms') ms = '300') {
    const wait = Number(ms);
    if (!Number.isSafeInteger(wait) || wait < 0 || wait > MAX_DELAY_MS) {
      throw new BadRequestException(
        `ms must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}.`,
      );
    }
    await delay(wait);
    return this.count();
  }
}
