// The recipient map: which of your addresses was given out where and when, retired, or is a
// spamtrap. Edited here as JSON and stored in the cases folder (recipients.json), where
// `clicktrace mail` and uploaded messages read it.
import { html, type SafeHtml } from '../html.js';
import type { RecipientMap } from '../../mail/recipient-map.js';

export const RECIPIENT_MAP_EXAMPLE = `{
  "recipients": [
    {
      "address": "old-registrant+domain@mydomain.example",
      "given": "only for a domain registration",
      "givenOn": "2012",
      "retiredOn": "2016"
    },
    { "address": "jane+*@mydomain.example", "given": "plus tags name the site that got the address" },
    { "address": "*@catchall.example", "given": "catch-all: the local part names the site" },
    { "address": "trap-7@traps.example", "spamtrap": true, "given": "published only in a hidden link", "givenOn": "2019-03" }
  ]
}
`;

export interface RecipientsPageState {
  /** The text in the editor (the saved file, or what was submitted when it had errors). */
  text: string;
  /** The map as saved, for the table; null when there is none. */
  map: RecipientMap | null;
  errors?: string[];
  saved?: boolean;
}

function entriesTable(map: RecipientMap | null): SafeHtml {
  if (!map || map.entries.length === 0) return html`<p class="empty">No recipient map yet: messages show plus tags only.</p>`;
  return html`<table class="recipients">
    <thead>
      <tr>
        <th>Address or pattern</th>
        <th>Given out</th>
        <th>On</th>
        <th>Retired</th>
        <th>Spamtrap</th>
        <th>Note</th>
      </tr>
    </thead>
    <tbody>
      ${map.entries.map(
        (e) =>
          html`<tr>
            <td><code>${e.address}</code></td>
            <td>${e.given ?? ''}</td>
            <td>${e.givenOn ?? ''}</td>
            <td>${e.retiredOn ?? ''}</td>
            <td>${e.spamtrap ? 'yes' : ''}</td>
            <td>${e.note ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function recipientsBody(state: RecipientsPageState): SafeHtml {
  return html`<h1>Recipient map</h1>
    <p>
      Where each of your addresses was given out, and when; which are retired; which are spamtraps. Messages that reach one of them say so
      (“sent to … given only for …, retired in 2016”), and traced links carry it into their report. <code>*</code> matches any characters
      (<code>jane+*@…</code> for plus tags, <code>*@catchall.example</code> for a catch-all domain); dates are <code>YYYY</code>,
      <code>YYYY-MM</code> or <code>YYYY-MM-DD</code>.
    </p>
    ${state.saved ? html`<p class="notice" role="status">Saved.</p>` : ''}
    ${
      state.errors?.length
        ? html`<div class="notice error" role="alert" id="recipients-error">
            <p>Not saved:</p>
            <ul>
              ${state.errors.map((e) => html`<li>${e}</li>`)}
            </ul>
          </div>`
        : ''
    }
    ${entriesTable(state.map)}
    <form class="recipients-form" method="post" action="/recipients">
      <label
        >recipients.json
        <textarea name="map" rows="18" spellcheck="false">${state.text}</textarea>
      </label>
      <button type="submit">Save</button>
    </form>`;
}
