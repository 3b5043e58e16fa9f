// What a scenario is, and the building blocks scenarios share: the advertiser landing pages,
// and one responder per navigation mechanism.
import type { LabState, Route, Handler } from '../exchange.js';
import { HOSTS } from '../hosts.js';
import { ADVERTISER_TITLE, advertiserLanding, metaRefreshPage, page, scriptRedirectPage } from '../pages.js';

/** How a trace of the scenario ends. */
export type ScenarioOutcome =
  | 'final' // reaches finalUrl
  | 'download' // ends on a file download (finalUrl is the file)
  | 'never-loads' // finalUrl renders but its load event never fires
  | 'loop' // never ends by itself: the same URLs come round again
  | 'too-many-redirects' // more consecutive HTTP redirects than a browser follows
  | 'hang' // a server that never answers: only the trace timeout ends it
  | 'reset' // the connection is reset
  | 'error'; // the browser reports an error at once (a crashed renderer, a redirect to another scheme, a broken body)

export interface LabScenario {
  name: string;
  /** Where a trace starts. */
  url: string;
  description: string;
  /** Where the trace ends (after `clicks`, when there are any); null when it cannot end on a page. */
  finalUrl: string | null;
  /** `via` of every hop of a plain trace (no --click), start first; null when not meaningful. */
  expectedVias: string[] | null;
  /** Title of the page at finalUrl. */
  finalTitle: string | null;
  /** HTTP status of the page at finalUrl (200 unless said otherwise). */
  finalStatus: number | null;
  /** Texts to pass as --click to reach finalUrl (empty when a plain trace gets there). */
  clicks: string[];
  /** `via` of every hop of a trace with `clicks`; null when there are no clicks. */
  clickedVias: string[] | null;
  outcome: ScenarioOutcome;
  /** Whether the lab's own browser-less walker (lab-client.ts) can follow it; false when only a browser can. */
  walkable: boolean;
}

/** A scenario and the routes that play it. */
export interface ScenarioDefinition {
  scenario: LabScenario;
  routes: Route[];
}

export interface ScenarioContext {
  state: LabState;
}

export function defineScenario(
  fields: Pick<LabScenario, 'name' | 'url' | 'description'> & Partial<Omit<LabScenario, 'name' | 'url' | 'description'>>,
  routes: Route[],
): ScenarioDefinition {
  const outcome = fields.outcome ?? 'final';
  const finalUrl = fields.finalUrl ?? null;
  return {
    scenario: {
      name: fields.name,
      url: fields.url,
      description: fields.description,
      finalUrl,
      expectedVias: fields.expectedVias ?? null,
      finalTitle: fields.finalTitle ?? null,
      finalStatus: fields.finalStatus ?? (finalUrl ? 200 : null),
      clicks: fields.clicks ?? [],
      clickedVias: fields.clickedVias ?? null,
      outcome,
      walkable: fields.walkable ?? true,
    },
    routes,
  };
}

/** The advertiser landing page a scenario ends on. */
export function landingUrl(scenario: string): string {
  return `https://${HOSTS.advertiser}/landing/${scenario}`;
}

export { ADVERTISER_TITLE };

/** Routes of the advertiser site (landing pages accept GET and POST). */
export function advertiserRoutes(): Route[] {
  return [
    {
      host: HOSTS.advertiser,
      path: '/landing/*',
      methods: ['GET', 'HEAD', 'POST'],
      handle: (x) => x.html(200, advertiserLanding(x.url.pathname.slice('/landing/'.length))),
    },
    {
      host: HOSTS.advertiser,
      path: '/signup',
      handle: (x) => x.html(200, page({ title: 'Sign up | Advertiser Example', body: '<main><h1>Sign up</h1></main>' })),
    },
  ];
}

/** Navigation mechanisms a hop can use to send the browser on, and the `via` they produce. */
export type HopMechanism = 'http-301' | 'http-302' | 'http-307' | 'http-308' | 'refresh-header' | 'meta-refresh' | 'javascript';

/** A responder that sends the browser to `target` by `mechanism`, without delay. */
export function hopTo(mechanism: HopMechanism, target: string): Handler {
  switch (mechanism) {
    case 'http-301':
      return (x) => x.redirect(301, target);
    case 'http-302':
      return (x) => x.redirect(302, target);
    case 'http-307':
      return (x) => x.redirect(307, target);
    case 'http-308':
      return (x) => x.redirect(308, target);
    case 'refresh-header':
      return (x) => x.html(200, page({ title: 'Redirecting…', body: '<main><p>Redirecting…</p></main>' }), { Refresh: `0; url=${target}` });
    case 'meta-refresh':
      return (x) => x.html(200, metaRefreshPage(target, 0));
    case 'javascript':
      return (x) => x.html(200, scriptRedirectPage(target));
  }
}
