import { Controller, Get } from '@nestjs/common';

/** What the demo offers; it never touches the session, so it costs no query. */
@Controller()
export class IndexController {
  @Get()
  index() {
    return {
      app: 'nest-sessions demo',
      routes: {
        'GET /notes':
          'a login-free notes and files page (HTML): kept with your session, deleted with it',
        'GET /set/?name=…': 'stores a name in your session (default: manish)',
        'GET /get/': 'shows the stored name',
        'GET /del/': 'removes the stored name',
        'GET /counter/': 'counts your visits',
        'GET /counter/slow?ms=300':
          'counts your visits, answering after ms milliseconds',
        'GET /signup, GET /login':
          'accounts (HTML): sign up or log in; a new session key, your notes and files come along',
        'GET /account':
          'your sessions, each revocable; log out other browsers; change your password',
        'POST /logout': 'logs out: the session is deleted',
        'GET /csrf': 'a CSRF token, for scripts: send it back in X-CSRFToken',
        'GET /health':
          'the session store and cleanup health (@nestjs/terminus)',
        'GET /metrics': 'the cleanup metrics, for Prometheus',
      },
    };
  }
}
