// E-mail reading: sources (file, mbox, Maildir, stdin), per-message analysis, links.
export { openMailSource, readMailSource, splitMbox, type MailSource, type MailSourceItem, type ReadMailOptions } from './mailbox.js';
export { analyzeMessage, type AnalyzeOptions, type AttachmentInfo, type MailAddress, type MailAnalysis } from './parse.js';
export { extractLinks, pickMainLink, type LinkKind, type LinkPart, type LinkSources, type MailLink } from './links.js';
export { findTextUrls, type TextUrl } from './text-urls.js';
export { decodeMime } from './decode-mime.js';
export {
  messageIdDomain,
  parseAuthenticationResults,
  parseDkimSignature,
  parseListUnsubscribe,
  parseReceived,
  receivedChain,
  type AuthResult,
  type DkimSignature,
  type ReceivedHop,
} from './headers.js';
export { detectPlatforms, type EspFingerprint, type PlatformKind } from './esp.js';
