import type { UserSession } from 'nest-sessions';
import { html, page, type SafeHtml } from '../visitor/html.js';

/** The hidden field that carries the page's CSRF token in a form. */
export function csrfField(token: string): SafeHtml {
  return html`<input
    type="hidden"
    name="csrfmiddlewaretoken"
    value="${token}"
  />`;
}

function credentialsForm(
  action: string,
  button: string,
  token: string,
): SafeHtml {
  return html`<form method="post" action="${action}">
    ${csrfField(token)}
    <p>
      <label for="username">Name</label><br />
      <input id="username" name="username" autocomplete="username" required />
    </p>
    <p>
      <label for="password">Password</label><br />
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="${action === '/signup' ? 'new-password' : 'current-password'}"
        required
      />
    </p>
    <button type="submit">${button}</button>
  </form>`;
}

/** The sign-up form. */
export function signupPage(token: string): string {
  return page(
    'Sign up',
    html`<h1>Sign up</h1>
      <p class="muted">
        A name and a password of 8 characters or more. Your notes and files come
        with you.
      </p>
      ${credentialsForm('/signup', 'Sign up', token)}
      <p><a href="/login">I have an account</a></p>`,
  );
}

/** The login form, with what went wrong last time, if anything. */
export function loginPage(token: string, error?: string): string {
  return page(
    'Log in',
    html`<h1>Log in</h1>
      ${error === undefined ? '' : html`<p class="error" id="login-error">${error}</p>`}
      ${credentialsForm('/login', 'Log in', token)}
      <p><a href="/signup">Create an account</a></p>`,
  );
}

function when(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** The account: its sessions, each revocable, the password form and logout. */
export function accountPage(
  username: string,
  sessions: readonly UserSession[],
  token: string,
): string {
  return page(
    'Your account',
    html`<h1>Hello, <span id="username">${username}</span></h1>
      <p><a href="/notes">Your notes and files</a></p>
      <h2>Your sessions</h2>
      <ul id="sessions">
        ${sessions.map(
          (session) =>
            html`<li>
              <span class="session"
                >${session.userAgent ?? 'Unknown browser'}<br /><span
                  class="muted"
                  >from ${session.ip ?? 'an unknown address'}, since
                  ${when(session.createdAt)}, last seen
                  ${when(session.lastSeen)}</span
                ></span
              >${
                session.current
                  ? html`<strong class="current">This browser</strong>`
                  : html`<form
                      class="inline"
                      method="post"
                      action="/account/sessions/${session.id}/revoke"
                    >
                      ${csrfField(token)}
                      <button type="submit">Log out</button>
                    </form>`
              }
            </li>`,
        )}
      </ul>
      <form method="post" action="/account/sessions/revoke-others">
        ${csrfField(token)}
        <button type="submit">Log out all other browsers</button>
      </form>
      <h2>Change your password</h2>
      <form method="post" action="/account/password">
        ${csrfField(token)}
        <p>
          <label for="current">Current password</label><br />
          <input
            id="current"
            name="current"
            type="password"
            autocomplete="current-password"
            required
          />
        </p>
        <p>
          <label for="next">New password</label><br />
          <input
            id="next"
            name="next"
            type="password"
            autocomplete="new-password"
            required
          />
        </p>
        <button type="submit">Change password</button>
      </form>
      <p class="muted">Your other browsers are logged out when it changes.</p>
      <h2>Leave</h2>
      <form method="post" action="/logout">
        ${csrfField(token)}
        <button type="submit">Log out</button>
      </form>`,
  );
}
