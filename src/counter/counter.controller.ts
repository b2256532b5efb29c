import { SessionService } from 'nest-sessions';
import { Controller, Get } from '@nestjs/common';

/** A visit counter, through the injectable `SessionService`. */
@Controller('counter')
export class CounterController {
  constructor(private readonly sessions: SessionService) {}

  @Get()
  async count() {
    const session = await this.sessions.current();
    const visits = session.get('visits', 0) + 1;
    session.set('visits', visits);
    return { visits };
  }
}
