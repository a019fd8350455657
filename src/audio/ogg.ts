import { EmovoxInputError } from '../util/errors.js';

// An Ogg reader that checks what the wasm decoders do not: every page's CRC, page sequence
// numbers, and whether the stream really ends (end-of-stream flag) or was cut off. Decoders are
// then handed only complete, verified packets, and the granule positions say exactly how many
// samples those packets hold, so nothing is ever invented for data that is not there.

/** One logical stream (one "chain" link) of an Ogg file: its packets and what its pages say. */
export interface OggStream {
  readonly serial: number;
  /** Complete packets, in order, from pages whose CRC matched (the first is the codec's ID header). */
  readonly packets: Uint8Array[];
  /** Granule position of the last page on which a packet ended; -1 when none did. */
  readonly lastGranule: number;
  /** True when the stream's last page carries the end-of-stream flag. */
  readonly ended: boolean;
  /** Byte offset just after the stream's last complete page. */
  readonly end: number;
}

/** What {@link scanOgg} found in a file. */
export interface OggScan {
  /** The audio streams in file order (chained files have several; multiplexed non-audio streams are left out). */
  readonly streams: OggStream[];
  /** Set when the file ends inside a page or before a stream's end-of-stream page: where and why. */
  readonly truncation?: string;
  /** Non-fatal oddities (trailing bytes after the last stream). */
  readonly warnings: string[];
}

const CRC_TABLE = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let r = i << 24;
  for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  CRC_TABLE[i] = r >>> 0;
}

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, initial 0) of a page with its CRC field zeroed. */
export function oggPageCrc(page: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i];
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
  }
  return crc;
}

function isCapture(b: Uint8Array, at: number): boolean {
  return b[at] === 0x4f && b[at + 1] === 0x67 && b[at + 2] === 0x67 && b[at + 3] === 0x53;
}

interface StreamState {
  serial: number;
  audio: boolean;
  packets: Uint8Array[];
  partial: Uint8Array[];
  lastGranule: number;
  nextSequence: number;
  ended: boolean;
  end: number;
}

/**
 * Walks every page of an Ogg file.
 *
 * @param bytes - the whole file from its first page.
 * @param name - file name for messages.
 * @param isAudioHeader - true for the first packet of a stream this caller decodes (e.g. `OpusHead`).
 * @throws EmovoxInputError for damage that would lose or shift audio in the middle of a stream:
 *   a page whose CRC does not match, a missing page (sequence gap), non-Ogg bytes between pages.
 *   A file cut off at its end is not an error here: `truncation` says so and the complete pages
 *   before the cut are returned.
 */
export function scanOgg(
  bytes: Uint8Array,
  name: string,
  codec: string,
  isAudioHeader: (packet: Uint8Array) => boolean,
): OggScan {
  const label = `Ogg ${codec}`;
  const streams = new Map<number, StreamState>();
  const order: StreamState[] = [];
  const warnings: string[] = [];
  let truncation: string | undefined;
  let pos = 0;
  let pageIndex = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 27 || !isCapture(bytes, pos)) {
      const allEnded = order.length > 0 && order.every((s) => !s.audio || s.ended);
      if (bytes.length - pos < 27 && isCapture(bytes, pos)) {
        truncation = `the file ends inside the header of page ${pageIndex} (byte ${pos})`;
        break;
      }
      if (allEnded) {
        warnings.push(`ignored ${bytes.length - pos} trailing bytes after the end of the stream`);
        break;
      }
      throw new EmovoxInputError(
        name,
        pos === 0
          ? `not an Ogg stream (no page at byte 0)`
          : `corrupt ${label}: no Ogg page where one should start (byte ${pos}, after page ${pageIndex - 1})`,
      );
    }
    if (bytes[pos + 4] !== 0)
      throw new EmovoxInputError(name, `corrupt ${label}: unknown Ogg version at byte ${pos}`);
    const flags = bytes[pos + 5];
    const view = new DataView(bytes.buffer, bytes.byteOffset + pos, 27);
    const granuleLow = view.getUint32(6, true);
    const granuleHigh = view.getUint32(10, true);
    const serial = view.getUint32(14, true);
    const sequence = view.getUint32(18, true);
    const crc = view.getUint32(22, true);
    const segments = bytes[pos + 26];
    if (pos + 27 + segments > bytes.length) {
      truncation = `the file ends inside page ${pageIndex} (byte ${pos})`;
      break;
    }
    let bodyLength = 0;
    for (let i = 0; i < segments; i++) bodyLength += bytes[pos + 27 + i];
    const pageEnd = pos + 27 + segments + bodyLength;
    if (pageEnd > bytes.length) {
      truncation = `the file ends inside page ${pageIndex} (byte ${pos}: ${bytes.length - pos} of its ${pageEnd - pos} bytes present)`;
      break;
    }
    const page = bytes.subarray(pos, pageEnd);
    if (oggPageCrc(page) !== crc) {
      throw new EmovoxInputError(
        name,
        `corrupt ${label}: page ${pageIndex} (byte ${pos}) fails its CRC check`,
      );
    }
    let stream = streams.get(serial);
    // A new first page for a serial whose stream has ended starts the next link of a chain
    // (writers that concatenate files sometimes reuse the serial number).
    if (!stream || (stream.ended && flags & 0x02)) {
      if (!(flags & 0x02)) {
        throw new EmovoxInputError(
          name,
          `corrupt ${label}: page ${pageIndex} (byte ${pos}) continues a stream whose first page is missing`,
        );
      }
      stream = {
        serial,
        audio: false,
        packets: [],
        partial: [],
        lastGranule: -1,
        nextSequence: sequence,
        ended: false,
        end: 0,
      };
      streams.set(serial, stream);
      order.push(stream);
    }
    if (stream.ended) {
      throw new EmovoxInputError(
        name,
        `corrupt ${label}: page ${pageIndex} (byte ${pos}) follows its stream's last page`,
      );
    }
    if (sequence !== stream.nextSequence) {
      throw new EmovoxInputError(
        name,
        `corrupt ${label}: page sequence jumps from ${stream.nextSequence - 1} to ${sequence} at byte ${pos} (pages missing)`,
      );
    }
    stream.nextSequence = sequence + 1;
    let offset = pos + 27 + segments;
    let endedPacket = false;
    for (let i = 0; i < segments; i++) {
      const lace = bytes[pos + 27 + i];
      stream.partial.push(bytes.subarray(offset, offset + lace));
      offset += lace;
      if (lace < 255) {
        const parts = stream.partial;
        stream.partial = [];
        const length = parts.reduce((n, p) => n + p.length, 0);
        const packet = parts.length === 1 ? parts[0] : new Uint8Array(length);
        if (parts.length > 1) {
          let at = 0;
          for (const p of parts) {
            packet.set(p, at);
            at += p.length;
          }
        }
        if (stream.packets.length === 0 && !stream.audio) stream.audio = isAudioHeader(packet);
        stream.packets.push(packet);
        endedPacket = true;
      }
    }
    if (endedPacket && !(granuleLow === 0xffffffff && granuleHigh === 0xffffffff)) {
      stream.lastGranule = granuleHigh * 2 ** 32 + granuleLow;
    }
    if (flags & 0x04) stream.ended = true;
    stream.end = pageEnd;
    pos = pageEnd;
    pageIndex++;
  }
  const audio = order.filter((s) => s.audio);
  if (!truncation) {
    const open = audio.find((s) => !s.ended);
    if (open) truncation = `the stream ends at byte ${open.end} without its end-of-stream page`;
  }
  return {
    streams: audio.map(({ serial, packets, lastGranule, ended, end }) => ({
      serial,
      packets,
      lastGranule,
      ended,
      end,
    })),
    truncation,
    warnings,
  };
}
