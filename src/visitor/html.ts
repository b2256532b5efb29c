/** Markup already escaped: `html` inserts it as it is. */
export class SafeHtml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe to put in HTML, in an element or an attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

/**
 * A template of HTML whose values (text or numbers) are escaped, except
 * `SafeHtml` (another `html` template); arrays are joined; anything else
 * (undefined, '' from a condition) is left out.
 */
export function html(
  strings: TemplateStringsArray,
  ...values: unknown[]
): SafeHtml {
  const render = (value: unknown): string =>
    value instanceof SafeHtml
      ? value.markup
      : Array.isArray(value)
        ? value.map(render).join('')
        : escapeHtml(
            typeof value === 'string' || typeof value === 'number'
              ? String(value)
              : '',
          );
  return new SafeHtml(
    strings.reduce(
      (markup, text, index) =>
        markup + (index > 0 ? render(values[index - 1]) : '') + text,
      '',
    ),
  );
}

/** A whole page of the demo. */
export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · nest-sessions demo</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              sans-serif;
            max-width: 42rem;
            margin: 2rem auto;
            padding: 0 1rem;
            color: #222;
          }
          h1 {
            font-size: 1.6rem;
          }
          h2 {
            font-size: 1.2rem;
            margin-top: 2rem;
          }
          ul {
            padding: 0;
            list-style: none;
          }
          li {
            display: flex;
            gap: 0.5rem;
            align-items: baseline;
            padding: 0.4rem 0;
            border-bottom: 1px solid #eee;
          }
          li > :first-child {
            flex: 1;
            white-space: pre-wrap;
            overflow-wrap: anywhere;
          }
          form.inline {
            display: inline;
          }
          textarea {
            width: 100%;
            box-sizing: border-box;
          }
          button {
            cursor: pointer;
          }
          li > .session {
            white-space: normal;
          }
          .muted {
            color: #777;
            font-size: 0.9rem;
          }
          .error {
            color: #a00;
          }
        </style>
      </head>
      <body>
        ${body}
      </body>
    </html> `.markup;
}
