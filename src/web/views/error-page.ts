import { html, type SafeHtml } from '../html.js';

export function errorBody(status: number, message: string): SafeHtml {
  return html`<h1>${status === 404 ? 'Not found' : 'Error'}</h1>
    <p class="notice error" role="alert">${message}</p>
    <p><a href="/">Back to the start</a></p>`;
}
