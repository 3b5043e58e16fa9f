// A message's identity in a cases folder: what a rerun of a mailbox looks its message case up by
// (service/messages.ts openMessageCase, the index's messages.message_key).
//
// The digest is over the message as its sender wrote it, not over how a mailbox stores it: the
// same message read from an mbox, a Maildir or a saved .eml is one message whatever the line
// endings (CRLF, LF), a leading mbox "From " line or BOM, mboxrd/mboxo ">From " quoting, blank lines
// at its end, or the flags a mail client keeps in its headers (Status, X-Mozilla-Status...).
// Everything else is in it, the Message-ID included but not trusted alone: a sender chooses it,
// so two messages with one (forged or reused) Message-ID but other bytes are two messages, each
// recorded and counted; a Message-ID as the key would let one message hide another.
import { sha256Hex } from '../http/checksums.js';

/** Header fields a local mail store writes (read flags, sizes), never the sender. */
const STORE_FIELDS =
  /^(?:status|x-status|x-keywords|x-uid|x-mozilla-status2?|x-mozilla-keys|content-length|lines|x-imap|x-imapbase)[ \t]*:/i;

/** The message's key: a SHA-256 (hex) over its bytes, normalised as said above. */
export function messageKey(raw: Uint8Array): string {
  // latin1 maps each byte to one character and back: nothing of a non-UTF-8 message is lost.
  let text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  text = text
    .replace(/^\xef\xbb\xbf/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/^\n+/, '');
  if (text.startsWith('From ')) {
    const newline = text.indexOf('\n');
    text = newline < 0 ? '' : text.slice(newline + 1);
  }
  const headerEnd = text.indexOf('\n\n');
  const header = headerEnd < 0 ? text : text.slice(0, headerEnd + 1);
  const body = headerEnd < 0 ? '' : text.slice(headerEnd + 1);
  text = withoutStoreFields(header) + body;
  text = text.replace(/^>+(?=From )/gm, '').replace(/[ \t\n]+$/, '');
  return sha256Hex(Buffer.from(text, 'latin1'));
}

/** The header without the fields a mail store adds, each with its folded continuation lines. */
function withoutStoreFields(header: string): string {
  const kept: string[] = [];
  let dropping = false;
  for (const line of header.split(/(?<=\n)/)) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (!dropping) kept.push(line);
      continue;
    }
    dropping = STORE_FIELDS.test(line);
    if (!dropping) kept.push(line);
  }
  return kept.join('');
}
