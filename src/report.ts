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
  | 'popup'
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
}

export type Role =
  'esp-tracker' | 'security-wrapper' | 'shortener' | 'affiliate-network' | 'ad-network' | 'redirector' | 'advertiser' | 'unknown';

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
}

export interface Hop {
  index: number; // 1-based
  url: string;
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
  party?: PartyRef;
}

export interface Report {
  tool: { name: string; version: string };
  url: string | null;
  mode: 'trace' | 'proxy' | 'import';
  startedAt: string;
  endedAt: string | null;
  elapsedMs: number | null;
  identity: { userAgent: string; device: string; viewport: { width: number; height: number } } | null;
  hops: Hop[];
  final: { url: string; status: number | null; title: string | null } | null;
  pages: { index: number; url: string; title: string; screenshot: string | null; dom: string | null }[];
  events: { at: string; kind: string; detail: string }[];
  case: string | null;
  error: string | null;
  partial: boolean;
  // Filled by attribution/enrichment (issue 4); optional so capture-only reports stay valid.
  parties?: PartyRef[];
  tokens?: TokenFinding[];
  summary?: { text: string; claims: { text: string; hop: number | null }[] };
  dns?: { host: string; addresses: string[]; cnames: string[]; baseDomain: string | null; baseDomainResolves: boolean | null }[];
  unwrapped?: { input: string; destination: string | null; layers: { url: string; party: string; rule: string; note?: string }[] } | null;
  /** For links traced from an e-mail: the message case it came from. */
  message?: { case: string; subject: string | null; from: string | null; link: number } | null;
  /**
   * Case files that could not be written (an exporter failed: capture.har, case.wacz, a
   * screenshot), each with the reason; the case is sealed without them. Set when the case is
   * closed, so `analyze` (from the WARC alone) does not rebuild it. Absent when none failed.
   */
  failedFiles?: { path: string; error: string }[];
}
