// Every lab scenario, in the order `clicktrace lab` lists them, and the routes that serve them.
import type { Route } from '../exchange.js';
import { advertiserRoutes, type LabScenario, type ScenarioContext } from './common.js';
import { seedScenario } from './seed.js';
import { mechanismScenarios } from './mechanisms.js';
import { chainScenarios } from './chains.js';
import { linkScenarios } from './links.js';
import { hostileScenarios } from './hostile.js';
import { hostileEvidenceScenarios } from './hostile-evidence.js';
import { exploreScenarios } from './explore.js';
import { explorePageScenarios } from './explore-pages.js';
import { headerEchoScenarios } from './header-echo.js';
import { hostileBrowserScenarios } from './hostile-browser.js';
import { phishingScenarios } from './phishing.js';
import { cloakerScenarios } from './cloakers.js';
import { cloakKitScenarios } from './cloak-kits.js';
import { cloakProbeScenarios } from './cloak-probes.js';
import { stealthTellScenarios } from './stealth-tells.js';
import { humanGateScenarios } from './human-gates.js';
import { deferredClickScenarios } from './deferred-clicks.js';
import { variantScenarios } from './variants.js';
import { chainVariantScenarios } from './chain-variants.js';
import { redirectVariantScenarios } from './redirect-variants.js';
import { moreRedirectVariantScenarios } from './more-redirect-variants.js';
import { serverVariantScenarios } from './server-variants.js';
import { whoChainScenarios } from './who-chains.js';

export type { LabScenario, ScenarioOutcome } from './common.js';

export interface LabPlay {
  scenarios: LabScenario[];
  routes: Route[];
}

export function buildScenarios(ctx: ScenarioContext): LabPlay {
  const definitions = [seedScenario(), ...mechanismScenarios(), ...chainScenarios(), ...linkScenarios(ctx), ...hostileScenarios()];
  definitions.push(...hostileEvidenceScenarios());
  definitions.push(...exploreScenarios());
  definitions.push(...explorePageScenarios());
  definitions.push(...headerEchoScenarios());
  definitions.push(...hostileBrowserScenarios());
  definitions.push(...phishingScenarios());
  definitions.push(...cloakerScenarios());
  definitions.push(...cloakKitScenarios());
  definitions.push(...cloakProbeScenarios());
  definitions.push(...stealthTellScenarios());
  definitions.push(...humanGateScenarios());
  definitions.push(...deferredClickScenarios());
  definitions.push(...variantScenarios());
  definitions.push(...chainVariantScenarios());
  definitions.push(...redirectVariantScenarios());
  definitions.push(...moreRedirectVariantScenarios());
  definitions.push(...serverVariantScenarios());
  definitions.push(...whoChainScenarios());
  const names = new Set<string>();
  for (const { scenario } of definitions) {
    if (names.has(scenario.name)) throw new Error(`duplicate lab scenario ${scenario.name}`);
    names.add(scenario.name);
  }
  return {
    scenarios: definitions.map((d) => d.scenario),
    routes: [...definitions.flatMap((d) => d.routes), ...advertiserRoutes()],
  };
}
