// The one in-memory model of a capture. The proxy and the CDP observer fill it; evidence writers
// (WARC, HAR, WACZ) serialise it; analysis derives the report from it alone, so a case read back
// from its WARC yields the same report.

/** A header as it appeared on the wire: original case and order kept. */
export type HeaderLine = [name: string, value: string];

export interface CertInfo {
  subject: string;
  issuer: string;
  /** DNS and IP subject alternative names, e.g. ["DNS:a.example", "IP Address:127.0.0.1"] as strings without prefix. */
  sans: string[];
  validFrom: string; // ISO 8601
  validTo: string; // ISO 8601
  serialNumber: string;
  sha256: string; // colon-free lowercase hex of the DER
  /** DER, base64. */
  der: string;
}

export interface TlsInfo {
  protocol: string | null; // e.g. "TLSv1.3"
  cipher: string | null;
  servername: string;
  alpn: string | null;
  /** Whether the upstream chain verified against the system trust store (or the lab CA in tests). */
  authorized: boolean;
  authorizationError: string | null;
  /** Leaf first. */
  chain: CertInfo[];
}

export interface DnsRecord {
  host: string;
  at: string; // ISO time of the lookup
  /**
   * "override" = from --resolve; "dns" = our resolver asked a DNS server; "literal" = the host was an IP;
   * "localhost" = localhost or a name under it: the loopback addresses, as a browser takes them, no DNS asked.
   */
  source: 'override' | 'dns' | 'literal' | 'localhost';
  server: string | null;
  addresses: string[]; // A and AAAA, in answer order
  cnames: string[]; // CNAME chain from the host toward the addresses
  error: string | null;
  /** Registrable domain of the host, and whether it resolves itself (filled by enrichment). */
  baseDomain?: string | null;
  baseDomainResolves?: boolean | null;
}

export interface ExchangeRequest {
  method: string;
  url: string;
  httpVersion: string;
  headers: HeaderLine[];
  body: Buffer;
}

export interface ExchangeResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  headers: HeaderLine[];
  /** Raw body as received: content-encoding kept, chunked framing removed. */
  body: Buffer;
  /** True when the body was longer than the recording cap and was cut. */
  bodyTruncated: boolean;
  /** Length actually received from upstream (may exceed body.length when truncated). */
  bodyLength: number;
  /**
   * What was wrong with the response as received, though the proxy passed it on as Chromium would
   * take it (absent or empty when nothing was). A body cut by the network is also the exchange's
   * `error`, in the same words.
   */
  faults?: ResponseFault[];
}

/**
 * A fault of a response that was passed on regardless, with a precise one-line reason.
 * - `short-body`: the server closed the connection before the body was complete (fewer bytes
 *   than its Content-Length, or a chunked body without its last chunk);
 * - `reset`: the connection was reset or failed in the middle of the body;
 * - `content-encoding`: the body does not decode as its Content-Encoding says (corrupt data).
 */
export interface ResponseFault {
  kind: 'short-body' | 'reset' | 'content-encoding';
  /** "connection reset after 12,345 bytes", "content-encoding gzip: corrupt data (invalid block type)". */
  message: string;
  /** Body bytes received (as sent, still encoded) when the fault happened. */
  receivedBytes: number;
  /** Content-Length, when the response had one. */
  expectedBytes: number | null;
}

export interface Exchange {
  id: string; // "x0001"...
  startedAt: string; // ISO
  endedAt: string | null;
  request: ExchangeRequest;
  response: ExchangeResponse | null;
  remoteAddress: string | null;
  remotePort: number | null;
  tls: TlsInfo | null;
  /** Network failure reaching upstream: "ECONNREFUSED", "timeout", "blocked: private address"... */
  error: string | null;
  timing: { dnsMs: number | null; connectMs: number | null; ttfbMs: number | null; totalMs: number | null };
}

/**
 * Events from the browser side (CDP), the evidence for how each hop happened. Documents are the top
 * page's, except those with a `frameId`: a child frame of the page that our click navigated (the
 * frame of the control clicked, or one a link of it targets by name), and that frame's own
 * redirects after it. Only such a frame's navigations are hops; a frame that navigates by itself
 * (an ad rotating) is none of the chain's, but the new documents of the top document's own frames
 * are noted (`frame-document`): the page may be only a frame (frame forwarding, framed-landing.ts),
 * whose document's script moves it on.
 */
/**
 * The `reason` of the `nav-requested` event of a history navigation to another document
 * (history.back(), history.go(), navigation.back()): CDP's navigationType for it.
 */
export const HISTORY_REASON = 'historyDifferentDocument';

export type NavEvent =
  | { type: 'page'; at: string; pageId: string; openerPageId: string | null }
  | { type: 'nav-requested'; at: string; pageId: string; reason: string; url: string; disposition: string; frameId?: string }
  | { type: 'nav-scheduled'; at: string; pageId: string; reason: string; url: string; delay: number; frameId?: string }
  | {
      type: 'doc-request';
      at: string;
      pageId: string;
      requestId: string;
      url: string;
      method: string;
      redirectStatus: number | null;
      redirectLocation: string | null;
      /** A redirect Chromium made itself, sending nothing (its Non-Authoritative-Reason: "HSTS"). */
      redirectByBrowser?: string;
      initiator: { type: string; url: string | null; line: number | null; column: number | null; fromChildFrame?: boolean };
      hasUserGesture: boolean;
      /** The child frame this document was requested in (absent: the top document), with the top page's URL then. */
      frameId?: string;
      topUrl?: string;
    }
  | {
      /**
       * A new document requested in a child frame of the top document that is not the chain's
       * (no click of ours moved it): the frame's `src` loading (`reason` null) or the frame moving
       * itself on (`reason`: Chromium's, "scriptInitiated", "metaTagRefresh"…), with its initiator.
       */
      type: 'frame-document';
      at: string;
      pageId: string;
      frameId: string;
      url: string;
      reason: string | null;
      initiator: { type: string; url: string | null; line: number | null };
    }
  | { type: 'doc-response'; at: string; pageId: string; requestId: string; url: string; status: number; mimeType: string; frameId?: string }
  | { type: 'doc-failed'; at: string; pageId: string; requestId: string; url: string; errorText: string; frameId?: string }
  | {
      type: 'click';
      at: string;
      pageId: string;
      text: string;
      target: string | null;
      /** The URL of the frame (iframe) the control clicked is in; absent for the top document's. */
      frame?: string;
      /**
       * A choice of a question left unanswered (a radio button, a list's option, a styled list's option) picked
       * before its "Next" was clicked (again) (explore-answers.ts); absent otherwise.
       */
      answer?: true;
    }
  | {
      /**
       * The page rested while it listened for signs of a person (mouse, pointer, scroll, wheel,
       * touch, focus): the trace behaved like one arriving on it, once per document, never with a
       * click or a key. One event as each action begins, before its input is sent: `actions` holds it
       * ("focus", "mouse", "wheel", "touch", "scroll"); `listeners`: the event types the page listened for.
       */
      type: 'nudge';
      at: string;
      pageId: string;
      actions: string[];
      listeners: string[];
      /**
       * A timer or interval run the page had set was due this many ms after `at` (past the settle
       * limit, or it would not have rested): a navigation from then on may be the page's own doing.
       */
      timerDueInMs?: number;
    }
  | { type: 'dialog'; at: string; pageId: string; dialogType: string; message: string }
  | { type: 'download'; at: string; pageId: string; url: string; suggestedFilename: string }
  | {
      type: 'settled';
      at: string;
      pageId: string;
      url: string;
      title: string;
      snapshot: number | null;
      /**
       * A one-shot timer (setTimeout) the page still had pending when the trace stopped waiting on
       * it, due this many ms after `at`: not waited for (past the settle limit). It may navigate, or not.
       */
      timerDueInMs?: number;
      /** The --settle that would have waited for that timer: from the page's commit (or the last click) to when it is due. */
      timerSettleMs?: number;
      /**
       * The child frame the chain went on in (a click in it, or on a link targeting it, loaded a
       * document there): its document's URL and title as the page rested.
       */
      frame?: { url: string; title: string };
    }
  | ExploreEvent;

/** A rectangle in CSS pixels; x and y from the document's top left unless said otherwise. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A link or button of a page as `--explore` read it, in its own (isolated) world so the page cannot fake it. */
export interface PageControl {
  tag: string;
  role: string | null;
  /** The type attribute of a <button> or <input>. */
  type: string | null;
  /** What a person reads on it (or its accessible name), whitespace collapsed. */
  text: string;
  /** Where it leads, when it says: a link's URL, the action of the form a submit button sends. */
  href: string | null;
  /** The href attribute as written (tells "#details" from a URL). */
  rawHref: string | null;
  download: boolean;
  box: Box;
  /** Why a person cannot see it ("display:none", "off-screen", "zero size"...), or null. */
  hidden: string | null;
  /** Button styling: a background colour unlike the page's (or null), padding [vertical, horizontal], corner radius, text size. */
  look: { background: string | null; padding: [number, number]; radius: number; fontSize: number };
  /** The landmark it sits in (nav, header, footer, aside), or null. */
  landmark: string | null;
  /**
   * For a submit button: how many of its form's visible fields need typing, and how many required
   * fields are empty (absent in older cases). `script`: a button with no link that acts from script
   * on fields to fill (in their form or beside them), not the form's own submit. `onsubmit`: the
   * form's onsubmit attribute stops the submission and navigates (`href` is where it says).
   */
  form: {
    typing: number;
    required?: number;
    method?: 'get' | 'post' | 'dialog';
    script?: boolean;
    onsubmit?: boolean;
    /** A click listener on it or a submit listener on its form stops the submission (preventDefault): the form is not sent, `href` is null. */
    stopped?: boolean;
    /**
     * Lists of its form still on their placeholder ("Choose…") and radio buttons of a question none of which
     * is chosen, that ask for nothing personal (an age range, a country): choices explore makes, without
     * typing, before it clicks (absent: none).
     */
    choosing?: number;
  } | null;
  /** It sits in a cookie / consent banner (by the banner's id, class or label, or a floating box that speaks of cookies). */
  cookieBanner: boolean;
  /** It opens, closes or switches part of the page (what says so: "aria-expanded", "role=tab"...), or null; absent in older cases. */
  widget?: string | null;
  /** It has an onclick attribute (a link to "#" or "javascript:void(0)" with one is a button made of a link); absent in older cases. */
  onclick?: boolean;
  /**
   * A click listener added by script is on it (read over CDP, DOMDebugger.getEventListeners): a
   * link to "#" with one is a button made of a link, as with an onclick attribute; absent otherwise.
   */
  clickListener?: boolean;
  /**
   * A link to "#" with no click listener of its own inside an element that has one (a framework's
   * delegated listener: React's on its root, jQuery's on the document): that element, as markup
   * names it ("<div id=root>", "the document"). Such a link may be the button that listener makes
   * navigate, so it is judged as one, not as a same-page anchor; absent otherwise.
   */
  delegatedListener?: string;
  /**
   * It has no link, role or pointer cursor but looks like a button (a colour of its own, padding
   * around a few words: a `<span class="cta">`); such a box is kept only when a click listener on
   * it, or on an element around it (`delegatedListener`), can receive its click. Absent otherwise.
   */
  lookalike?: boolean;
  /** It sits in a bar fixed to the window's top or bottom edge (a strip over the content, not a dialog); absent otherwise. */
  stickyBar?: 'top' | 'bottom';
  /**
   * For a control of few words: the text of the nearest block around it that says more (what a
   * person reads beside an "Accept" or "OK"), up to 600 characters; null otherwise; absent in older cases.
   */
  context?: string | null;
  /**
   * Where a plain navigation in its onclick attribute (`location = '…'`, `location.assign('…')`,
   * `window.open('…')`) says it leads; absent otherwise. Judged as its target when it has no href.
   */
  onclickHref?: string;
  /**
   * An address in a data attribute named for one (`data-href`, `data-url`, `data-link`…), which a
   * script listening for its click most likely sends it to (`location = el.dataset.href`), on a
   * control with no link of its own or on a link (a delegated listener may send the click there
   * rather than to its href). Judged too before it is clicked when a listener receives the click
   * (a download, an unsubscribe there refuses it); absent otherwise.
   */
  dataHref?: string;
  /** It shows a picture (an image of at least 64×32 CSS pixels: a banner, not an icon), text or not; absent otherwise. */
  picture?: boolean;
  /** The picture it shows is a banner's (at least 300×120 CSS pixels: an <img> or a CSS background image); absent otherwise. */
  banner?: boolean;
  /** Disabled when read (`disabled`, `aria-disabled="true"`): explore waits a while for it to be enabled; absent otherwise. */
  disabled?: boolean;
  /**
   * Disabled beside a box a person sees left unticked ("I agree to the terms"): the box's words. Explore
   * ticks nothing (agreeing is the person's, as consent to cookies is), so it refuses the control at once
   * rather than waiting for it. Absent otherwise.
   */
  waitsOnBox?: string;
  /** Out of view in a box or frame a person can scroll ("scrolled out of view in a scroll box"); its box is where it comes into view. Absent otherwise. */
  outOfView?: string;
  /** Its frame is a display-ad slot, and what shows it ("300×250 slot", 'labelled "Advertisement"'); absent otherwise. */
  frameAd?: string;
  /** The URL of the frame (iframe) it is in; absent for the top document's own controls (and in older cases). */
  frame?: string;
}

/**
 * `--explore` on a resting page: every control read (up to a limit), each with the score explore
 * gave it, and the one it clicked (index into `controls`; null: no call-to-action).
 */
export interface ExploreEvent {
  type: 'explore';
  at: string;
  pageId: string;
  url: string;
  /** 1 for the first page explored, 2 for the page its click led to... */
  depth: number;
  /** The snapshot (screenshot) of the page explored. */
  snapshot: number | null;
  viewport: { width: number; height: number };
  /** The page's scroll offset when it was read (and its screenshot taken). */
  scroll: { x: number; y: number };
  /** Controls found on the page; `controls` holds the first ones up to a limit. */
  total: number;
  controls: (PageControl & { score: number; reasons: string[]; refused: string | null })[];
  chosen: number | null;
  /**
   * A cookie / consent notice covered the chosen control: the control (index into `controls`) that
   * closed it, clicked first without consenting ("Reject all", "×"). With `chosen` null: nothing
   * was to click while the notice showed, so it was closed so and the page is read again (the
   * next explore event, at the same depth; some pages show their offer only once it is answered).
   * Absent otherwise.
   */
  dismissed?: number;
  /**
   * A pop-up of the page (a newsletter or discount box, not a consent notice) covered the chosen
   * control: the control (index into `controls`) that closed it, clicked first ("×", "Close",
   * "No thanks": one that leads nowhere); absent otherwise.
   */
  closedPopup?: number;
  /**
   * The call-to-action (index into `controls`) left unclicked because a cookie / consent notice
   * covers it that cannot be closed without consenting (it offers only "Accept"): explore never
   * consents for the analyst, nor clicks past the notice; `chosen` is null; absent otherwise.
   */
  consentBlocked?: number;
  /**
   * The call-to-action (`control`, index into `controls`) lay under a layer a person does not see
   * (`layer`: its tag; no words, picture or control, its colour under 10% opaque: a transparent
   * `<div>` that goes away on the first click), so the click made where it shows landed on that
   * layer; `chosen` is null. The page is read again after it (the next explore event, at the same
   * depth), unless that click led on. Once per page; absent otherwise.
   */
  unseenLayer?: { control: number; layer: string };
  /**
   * Nothing was to click in the page as it first showed, so it was scrolled down as a person does
   * (the wheel, or a phone's flicks: `turns` of them) and read again: some pages add their offer
   * only when their end or a lazy section comes into view. `to`: the scroll offset it ended at;
   * `end`: it reached the page's end. Absent when the page was not scrolled.
   */
  scrolled?: { by: 'wheel' | 'touch'; turns: number; to: number; end: boolean };
  /**
   * The page's frames (iframes): read (skipped null), or why their controls were left out (hidden,
   * no size, off-screen…); absent when none. `ad`: what shows a frame read is a display ad.
   */
  frames?: { url: string; skipped: string | null; ad?: string }[];
}

/**
 * A page the chain rested on, with its screenshot and DOM (paths relative to the case folder).
 * `url`, `title`, `dom` are the top document's; where the chain went on in a frame of the page,
 * `frame` is that frame's document, with a DOM of its own. The screenshot shows the page with
 * the frame inside it.
 */
export interface PageSnapshot {
  index: number;
  at: string;
  pageId: string;
  url: string;
  title: string;
  screenshot: { path: string; png: Buffer } | null;
  dom: { path: string; html: string } | null;
  frame?: { url: string; title: string; dom: { path: string; html: string } | null };
}

export interface CaptureIdentity {
  userAgent: string;
  device: 'desktop' | 'mobile';
  viewport: { width: number; height: number };
  locale: string;
  timezone: string;
  acceptLanguage: string;
  /**
   * What WEBGL_debug_renderer_info reports in place of Chromium's software renderer (SwiftShader,
   * a machine without a GPU: a classic headless tell). A real GPU's strings are left alone.
   */
  webgl?: { vendor: string; renderer: string };
  /** The visitor profile of `clicktrace compare --as` (src/capture/visitor.ts); absent for a plain trace. */
  profile?: string;
  /** navigator.languages, when not the default list. */
  languages?: string[];
  /** Shows the tells of automation (HeadlessChrome, navigator.webdriver, no plugins). */
  headless?: boolean;
  /** False: a plain HTTP client, no JavaScript, HTTP redirects only. */
  javascript?: boolean;
  /** The Referer of the first request. */
  referrer?: string;
}

export interface CaptureInfo {
  tool: { name: string; version: string };
  browser: {
    name: string;
    version: string;
    /** Chromium's command-line flags, when clicktrace launched it. */
    flags?: string[];
    /** The unprivileged user Chromium ran as (clicktrace itself ran as root). */
    user?: string;
  } | null;
  identity: CaptureIdentity | null;
  /** The URL the user asked for (for proxy/import captures: the first request seen, or null). */
  url: string | null;
  mode: 'trace' | 'proxy' | 'import';
  commandLine: string[];
  resolver: { overrides: string[]; dnsServer: string | null };
  clicks: string[];
  /** `--explore` depth, when the trace explored landing pages. */
  explore?: number;
  /**
   * Whether the trace nudged a resting page that listened for a person (capture/nudge.ts): false
   * with `--no-nudge` or a submission's nudge off. Absent where nothing was nudged by design (proxy,
   * import, the browserless scanner) and in cases from before it was recorded.
   */
  nudge?: boolean;
  /** The fleet worker that captured this case for a server (`clicktrace worker`): its name and host. */
  worker?: { name: string; host: string };
  startedAt: string;
  endedAt: string | null;
  /** Why the capture ended early, if it did; the report's `error`. */
  error: string | null;
  /** Set while writing; cleared when the case is closed cleanly. */
  partial: boolean;
  /** What the analysis needs beyond the traffic, e.g. for a link traced from an e-mail. */
  analysis?: {
    recipients?: string[];
    espFromMail?: string[];
    /** The message case; `link` is null (and `resource` set) for a traced pixel. */
    message?: { case: string; subject: string | null; from: string | null; link: number | null; resource?: number } | null;
    /** Where the message's recipient addresses were given out (recipient map, tags), for the report. */
    disclosures?: { address: string; text: string; spamtrap?: boolean }[];
    /** The link as the user wrote it, when `url` was taken out of it (a defanged IOC refanged, a URL in <...>). */
    given?: string;
  };
}

export interface Capture {
  info: CaptureInfo;
  exchanges: Exchange[];
  events: NavEvent[];
  pages: PageSnapshot[];
  dns: DnsRecord[];
}

export function emptyCapture(info: CaptureInfo): Capture {
  return { info, exchanges: [], events: [], pages: [], dns: [] };
}
