// A credential phish on a look-alike domain: an ESP click link that 302s to a sign-in page
// under "t-rnobile.example" ("rn" for "m"), titled as T-Mobile's, with a password form. The
// verdict flags (look-alike domain, credential form, and with the lab mail fixture whose anchor
// text shows business.t-mobile.example, shown vs real link) are tested against it.
import { HOSTS } from '../hosts.js';
import { page } from '../pages.js';
import { defineScenario, hopTo, type ScenarioDefinition } from './common.js';

export const LOOKALIKE_URL = `https://${HOSTS.lookalike}/signin`;
export const LOOKALIKE_TITLE = 'T-Mobile for Business | Sign in';

export function phishingScenarios(): ScenarioDefinition[] {
  return [
    defineScenario(
      {
        name: 'lookalike',
        url: `http://${HOSTS.espClick}/c/lookalike?id=tm-2291`,
        description: `A 302 to ${LOOKALIKE_URL}: a T-Mobile sign-in page with a password form on a look-alike domain ("rn" for "m").`,
        expectedVias: ['start', 'http-302'],
        finalUrl: LOOKALIKE_URL,
        finalTitle: LOOKALIKE_TITLE,
      },
      [
        { host: HOSTS.espClick, path: '/c/lookalike', handle: hopTo('http-302', LOOKALIKE_URL) },
        {
          host: HOSTS.lookalike,
          path: '/signin',
          methods: ['GET', 'HEAD', 'POST'],
          handle: (x) =>
            x.html(
              200,
              page({
                title: LOOKALIKE_TITLE,
                body:
                  `<main><h1>T-Mobile for Business</h1><p>Sign in to review your invoice.</p>\n` +
                  `<form method="post" action="/signin"><label>Email <input name="email" type="email"></label>\n` +
                  `<label>Password <input name="password" type="password" autocomplete="current-password"></label>\n` +
                  `<button type="submit">Sign in</button></form></main>`,
              }),
            ),
        },
      ],
    ),
  ];
}
