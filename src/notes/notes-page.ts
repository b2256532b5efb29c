import type { Upload } from '../uploads/upload.entity.js';
import { MAX_UPLOAD_BYTES } from '../uploads/upload-files.js';
import { csrfField } from '../account/account-pages.js';
import { html, page } from '../visitor/html.js';
import type { Note } from './note.entity.js';

/** The most characters a note may have. */
export const MAX_NOTE_LENGTH = 2000;

/** A size for people: bytes, KB or MB. */
function size(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The visitor's notes and files, with the forms to add and delete them; plain forms, no script. */
export function notesPage(
  notes: readonly Note[],
  uploads: readonly Upload[],
  token: string,
): string {
  const deleteButton = (action: string, label: string) =>
    html`<form class="inline" method="post" action="${action}">
      ${csrfField(token)}
      <button type="submit" aria-label="${label}">Delete</button>
    </form>`;
  return page(
    'Your notes',
    html`<h1>Your notes</h1>
      <p class="muted">
        No sign-up: these belong to your browser's session, and are deleted with
        it when it expires.
      </p>
      <form method="post" action="/notes">
        ${csrfField(token)}
        <label for="text">New note</label>
        <textarea
          id="text"
          name="text"
          rows="3"
          maxlength="${MAX_NOTE_LENGTH}"
          required
        ></textarea>
        <button type="submit">Save note</button>
      </form>
      <ul id="notes">
        ${notes.map(
          (note) =>
            html`<li>
              <span class="note">${note.text}</span
              >${deleteButton(`/notes/${note.id}/delete`, 'Delete note')}
            </li>`,
        )}
      </ul>
      ${notes.length === 0 ? html`<p class="muted" id="no-notes">No notes yet.</p>` : ''}
      <h2>Your files</h2>
      <form method="post" action="/uploads" enctype="multipart/form-data">
        ${csrfField(token)}
        <label for="file"
          >Text, PNG, JPEG or PDF, up to ${size(MAX_UPLOAD_BYTES)}</label
        >
        <input
          id="file"
          name="file"
          type="file"
          accept=".txt,text/plain,image/png,image/jpeg,application/pdf"
          required
        />
        <button type="submit">Upload</button>
      </form>
      <ul id="uploads">
        ${uploads.map(
          (upload) =>
            html`<li>
              <a class="upload" href="/uploads/${upload.id}">${upload.name}</a
              ><span class="muted">${size(upload.size)}</span
              >${deleteButton(`/uploads/${upload.id}/delete`, 'Delete file')}
            </li>`,
        )}
      </ul>
      ${uploads.length === 0 ? html`<p class="muted" id="no-uploads">No files yet.</p>` : ''}`,
  );
}
