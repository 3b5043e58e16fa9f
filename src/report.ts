// The report: what `trace --json` prints and `report.json` holds. Derived from a Capture only.

export type Via =
  | 'start'
  | 'http-301'
  | 'http-302'
  | 'http-303'
  | 'http-307'
  | 'http-308'
  | 'refresh-header'
  | 'meta-refresh'
  | 'javascript'
  | 'form-get'
  | 'form-post'
  | 'frame-top'
  // The top page is only a frame of this document (analyze/framed-landing.ts): frame forwarding.
  | 'frame-src'
  | 'popup'
  // The page went back (or forward) in the tab's history to an earlier entry, which the browser requested again.
  | 'history'
  | 'click'
  | 'other';

export interface HopTls {
  protocol: string | null;
  authorized: boolean;
  error: string | null;
  cert: { subject: string; issuer: string; sans: string[]; validFrom: string; validTo: string; sha256: string } | null;
}

export interface HopEvidence {
  /** Human sentence: "Location: https://...", "<meta http-equiv=refresh content=\"2;url=...\"> (delay 2 s)". */
  detail: string;
  location?: string;
  refresh?: string;
  delay?: number;
  scriptUrl?: string;
  scriptLine?: number;
  clickText?: string;
  reason?: string;
  /**
   * The page navigated only after the trace behaved like a person arriving on it (nothing else was
   * pending): what it did ("mouse movement, wheel scroll"). A human check, as cloakers use.
   */
  afterNudge?: string;
}

/**
 * What a party does in a chain. The final landing page's owner is the `advertiser`, except on a
 * domain that imitates the brand the page's own title names: the neutral `destination` (an
 * imitation is no one's advertising).
 */
export type Role =
  | 'esp-tracker'
  | 'security-wrapper'
  | 'shortener'
  | 'affiliate-network'
  | 'ad-network'
  | 'redirector'
  | 'advertiser'
  | 'destination'
  | 'unknown';

export interface PartyRef {
  role: Role;
  name: string | null;
  /** Rule id that matched, or a short description of the inference ("final landing page"). */
  rule: string | null;
  registrableDomain: string | null;
}

export interface TokenFinding {
  name: string;
  value: string;
  kind: string; // "campaign", "click-id", "utm", "affiliate", "recipient"...
  hops: number[];
  /** For kind "recipient": the address found (lowercased). */
  address?: string;
}

/** Address blocks that belong to no public network; a hop on one is labelled, not looked up. */
export type SpecialNetwork =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'documentation'
  | 'benchmarking'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

/**
 * The network a hop's IP belongs to, from offline data (report.networkData says which): its
 * autonomous system and country (`asn` null when the data has no range for it), or the special
 * block it is in. Approximate: the source and its date go with every answer.
 */
export type HopNetwork =
  | { asn: number | null; name: string | null; country: string | null; source: string; sourceDate: string | null }
  | { special: SpecialNetwork };

/** One offline data set the analysis used: the npm package, its version and date, and its licence. */
export interface NetworkDataSource {
  package: string;
  version: string;
  date: string | null;
  licence: string;
  attribution: string;
}

export interface Hop {
  index: number; // 1-based
  url: string;
  /**
   * The page (its URL) in a child frame of which this document was loaded: a click there (on a
   * control in the frame, or a link targeting it) moved only the frame, and the chain went on in
   * it; or the page is nothing but that frame (via 'frame-src', analyze/framed-landing.ts). Absent
   * for the top page's own documents.
   */
  frame?: string;
  method: string;
  status: number | null;
  via: Via;
  evidence: HopEvidence;
  ip: string | null;
  tls: HopTls | null;
  contentType: string | null;
  timing: { startedAt: string; ms: number | null };
  exchange: string | null;
  error: string | null;
  /**
   * Made by a tab the chain is not on: the tab a followed popup was opened from, going on by itself
   * (a tab-under's first tab sent to an ad), or a popup the chain did not follow. Shown, in time
   * order; the chain's end, parties and summary are read from the other hops (analyze/tabs.ts).
   */
  otherTab?: true;
  /**
   * Of a capture without browser events (`clicktrace proxy`, an import) that holds several separate
   * chains (links visited one after another, unrelated by redirect, Referer, refresh or script):
   * the chain of this hop, 1-based in time order. The report follows chain 1 (its `url`): the
   * other chains' hops are also `otherTab`, left out of its end, parties and summary. Absent when
   * the capture holds one chain.
   */
  chain?: number;
  party?: PartyRef;
  network?: HopNetwork;
}

/** A link or button `--explore` considered, as the report shows it. */
export interface ExploreCandidate {
  text: string;
  href: string | null;
  tag: string;
  /** CSS pixels from the document's top left. */
  box: { x: number; y: number; width: number; height: number };
  score: number;
  /** The parts of the score ("+35 call-to-action wording …", "+10 above the fold"). */
  reasons: string[];
  /** Why explore never follows it (unsubscribe, mailto:, download…). */
  refused?: string;
  /** The URL of the frame (iframe) it is in, when not the page's own document. */
  frame?: string;
}

/** One `--explore` step: the page explored, the call-to-action clicked (or none) and the others. */
export interface ExploreStep {
  depth: number;
  url: string;
  /** The page's snapshot (index into `pages`). */
  page: number | null;
  /** The control clicked; null: the page has no call-to-action explore would follow. */
  chosen: ExploreCandidate | null;
  /** The next best controls explore would follow (up to 5). */
  runnersUp: ExploreCandidate[];
  /**
   * The control of a cookie notice that covered the chosen one, clicked first to close it without
   * consenting; with `chosen` null, the one that closed a notice while nothing was to click (the
   * page is read again: the next step, at the same depth); absent otherwise.
   */
  dismissed?: ExploreCandidate;
  /** The close control of a pop-up (not a consent notice) that covered the chosen one, clicked first; absent otherwise. */
  closedPopup?: ExploreCandidate;
  /** The call-to-action left unclicked under a consent notice that offers only accept (its `refused` says so); `chosen` is null. */
  consentBlocked?: ExploreCandidate;
  /** The call-to-action under a layer a person does not see, which took the click made where it shows (ExploreEvent `unseenLayer`); `chosen` is null. */
  unseenLayer?: { control: ExploreCandidate; layer: string };
  /** Nothing was to click as the page first showed: it was scrolled down as a person does, then read (ExploreEvent `scrolled`). */
  scrolled?: { by: 'wheel' | 'touch'; turns: number; to: number; end: boolean };
  /** The best-scoring controls explore refused, with the reason (up to 10). */
  refused: ExploreCandidate[];
  /** How many links and buttons the page had. */
  controls: number;
  /** The page's frames: read (skipped null), or why their controls were left out; absent when it has none; `ad`: what shows a frame read is a display ad. */
  frames?: { url: string; skipped: string | null; ad?: string }[];
  /** A copy of the page's screenshot with the chosen box drawn on it (the screenshot itself is left as taken). */
  screenshot: string | null;
  /** The page the click led to (its next resting page), if any. */
  next: string | null;
}

/** A browser event of the capture, told in words; a few kinds also carry their figures. */
export interface ReportEvent {
  at: string;
  kind: string;
  detail: string;
  /** kind "timer": the settled page that had the timer pending. */
  url?: string;
  /** kind "timer": when the timer was due, in ms after `at` (the settled capture event's figure). */
  timerDueInMs?: number;
  /** kind "timer": the --settle that would have waited for it, in ms (the settled capture event's figure). */
  timerSettleMs?: number;
}

export interface Report {
  tool: { name: string; version: string };
  url: string | null;
  mode: 'trace' | 'proxy' | 'import';
  startedAt: string;
  endedAt: string | null;
  elapsedMs: number | null;
  /** `profile`: the visitor profile of `compare --as` (the case's full identity is in its WARC's capture info). */
  identity: { userAgent: string; device: string; viewport: { width: number; height: number }; profile?: string } | null;
  hops: Hop[];
  /** Where the chain rested; `frame`: the page (its URL) inside a frame of which the final document is shown. */
  final: { url: string; status: number | null; title: string | null; frame?: string } | null;
  /**
   * The pages the chain rested on: `url`, `title` and `dom` are the top document's, the screenshot
   * shows the page as a person saw it (a frame's document inside it); `frame`: where the chain
   * went on in a frame of the page, that frame's document (its URL, title and DOM file).
   */
  pages: {
    index: number;
    url: string;
    title: string;
    screenshot: string | null;
    dom: string | null;
    frame?: { url: string; title: string; dom: string | null };
  }[];
  events: ReportEvent[];
  case: string | null;
  error: string | null;
  partial: boolean;
  // Filled by attribution/enrichment (issue 4); optional so capture-only reports stay valid.
  parties?: PartyRef[];
  tokens?: TokenFinding[];
  summary?: { text: string; claims: { text: string; hop: number | null }[] };
  dns?: { host: string; addresses: string[]; cnames: string[]; baseDomain: string | null; baseDomainResolves: boolean | null }[];
  unwrapped?: { input: string; destination: string | null; layers: { url: string; party: string; rule: string; note?: string }[] } | null;
  /** The offline IP data behind hops' `network` (null: none was installed, only special blocks are labelled). */
  networkData?: { asn: NetworkDataSource | null; country: NetworkDataSource | null } | null;
  /** The link as the user wrote it, when `url` was taken out of it (a defanged IOC refanged, a URL in <...>). */
  given?: string;
  /** For links traced from an e-mail: the message case it came from (`resource` for a traced pixel). */
  message?: { case: string; subject: string | null; from: string | null; link: number | null; resource?: number } | null;
  /** For links traced from an e-mail: where its recipient addresses were given out, and the hops whose URLs carry them. */
  disclosures?: { address: string; text: string; spamtrap?: boolean; hops: number[] }[];
  /** `--explore`: the call-to-action chosen on each page explored. */
  explore?: ExploreStep[];
  /**
   * Case files that could not be written (an exporter failed: capture.har, case.wacz, a
   * screenshot), each with the reason; the case is sealed without them. Set when the case is
   * closed, so `analyze` (from the WARC alone) does not rebuild it. Absent when none failed.
   */
  failedFiles?: { path: string; error: string }[];
}

/** How a hop was reached, as the chain shows it: its `via`, and where the chain went on in a frame of the page, that it did ("click (in a frame)"). */
export function viaLabel(hop: Pick<Hop, 'via' | 'frame'>): string {
  return hop.frame === undefined ? hop.via : `${hop.via} (in a frame)`;
}

/**
 * What is said of a document (a hop's evidence, why it failed), said of the frame it was shown in
 * when it was a frame's: `frame` is the URL of the page the frame is in (absent: the top document).
 */
export function inFrameOf(text: string, frame: string | null | undefined): string {
  return frame === undefined || frame === null ? text : `${text} (in a frame of ${frame})`;
}

/** `text` without what inFrameOf added for `frame`, for a sentence that names the frame itself. */
export function withoutFrameOf(text: string, frame: string | null | undefined): string {
  const suffix = inFrameOf('', frame);
  return suffix && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
}

/** When a capture recorded chains no redirect, Referer, refresh or script joins, which one the report follows. */
export function separateChainsNote(hops: readonly Pick<Hop, 'chain'>[]): string | null {
  const chains = new Set(hops.map((h) => h.chain ?? 1)).size;
  return chains > 1
    ? `${chains} separate chains were recorded (no redirect, Referer, refresh or script leads from one to the next); ` +
        'this report follows chain 1, the others are shown for what they are'
    : null;
}

/** Why a hop shown is not the way of the chain the report follows: another tab's, or a separate chain's (`chain`). */
export function otherChainNote(hop: Pick<Hop, 'chain'>): string {
  return hop.chain !== undefined && hop.chain > 1
    ? `separate chain ${hop.chain}: not the chain this report follows`
    : "another tab: not the chain's way on";
}
