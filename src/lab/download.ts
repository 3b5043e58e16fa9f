// The file behind the `download` scenario: a small, valid, harmless ZIP (one stored text entry)
// built byte for byte at load time, so tests know its exact size and SHA-256.
import { crc32, sha256Hex } from '../http/checksums.js';

export const DOWNLOAD_FILENAME = 'invoice.zip';
const ENTRY_NAME = 'invoice-2026-0917.txt';
const ENTRY_TEXT = 'Invoice 2026-0917\r\nThis is a harmless clicktrace lab file standing in for a malicious attachment.\r\n';
/** 2026-09-17 10:24:00 in MS-DOS format. */
const DOS_TIME = (10 << 11) | (24 << 5);
const DOS_DATE = ((2026 - 1980) << 9) | (9 << 5) | 17;

function buildZip(): Buffer {
  const name = Buffer.from(ENTRY_NAME, 'utf8');
  const data = Buffer.from(ENTRY_TEXT, 'utf8');
  const crc = crc32(data);

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0, 6); // flags
  local.writeUInt16LE(0, 8); // stored
  local.writeUInt16LE(DOS_TIME, 10);
  local.writeUInt16LE(DOS_DATE, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  local.writeUInt16LE(0, 28);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(20, 6); // version needed
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(DOS_TIME, 12);
  central.writeUInt16LE(DOS_DATE, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  // extra, comment, disk, internal attrs, external attrs: 0
  central.writeUInt32LE(0, 42); // local header offset

  const localSize = local.length + name.length + data.length;
  const centralSize = central.length + name.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(localSize, 16);

  return Buffer.concat([local, name, data, central, name, end]);
}

/** The exact bytes served for /files/invoice.zip. */
export const DOWNLOAD_BODY: Buffer = buildZip();
export const DOWNLOAD_SIZE: number = DOWNLOAD_BODY.length;
/** Lower-case hex SHA-256 of DOWNLOAD_BODY. */
export const DOWNLOAD_SHA256: string = sha256Hex(DOWNLOAD_BODY);
