import { EmovoxInputError } from '../util/errors.js';
import { fourCC, type ByteSource } from './byte-source.js';
import { sizeShortfall, validateLayout, type PcmLayout, type SampleEncoding } from './pcm.js';

/** IEEE 754 80-bit extended (AIFF's sample-rate field) as a number; NaN when invalid. */
export function readExtended80(b: Uint8Array, at: number): number {
  const exp = ((b[at] & 0x7f) << 8) | b[at + 1];
  const sign = b[at] & 0x80 ? -1 : 1;
  let mant = 0;
  for (let i = 0; i < 8; i++) mant = mant * 256 + b[at + 2 + i];
  if (exp === 0 && mant === 0) return 0;
  if (exp === 0x7fff) return NaN;
  return sign * mant * 2 ** (exp - 16383 - 63);
}

/** The AIFF-C compression types emovox decodes itself: [encoding, little-endian, forced bits]. */
const COMPRESSION: Record<string, [SampleEncoding, boolean, number?]> = {
  NONE: ['int', false],
  twos: ['int', false],
  sowt: ['int', true],
  in24: ['int', false, 24],
  in32: ['int', false, 32],
  '42ni': ['int', true, 32],
  fl32: ['float', false, 32],
  FL32: ['float', false, 32],
  fl64: ['float', false, 64],
  FL64: ['float', false, 64],
  ulaw: ['ulaw', false, 8],
  ULAW: ['ulaw', false, 8],
  alaw: ['alaw', false, 8],
  ALAW: ['alaw', false, 8],
};

/**
 * Parses an AIFF or AIFF-C header (COMM + SSND chunks; big-endian, 'sowt' little-endian, 'fl32'/'fl64'
 * floats, µ-law/A-law), reading only chunk headers. Sizes that overstate the file are clamped with
 * a warning (or rejected when `strict`).
 */
export function parseAiff(src: ByteSource, strict = false): PcmLayout {
  const name = src.name;
  const aifc = fourCC(src.read(0, 12), 8) === 'AIFC';
  const warnings: string[] = [];
  let comm: Uint8Array | undefined;
  let ssndBody = -1;
  let ssndSize = 0;
  let pos = 12;
  while (pos + 8 <= src.size) {
    const header = src.read(pos, 8);
    const id = fourCC(header, 0);
    const size = new DataView(header.buffer, header.byteOffset, 8).getUint32(4, false);
    const body = pos + 8;
    if (id === 'COMM') {
      comm = src.read(body, Math.min(size, 64));
      if (comm.length < 18) throw new EmovoxInputError(name, 'truncated AIFF: COMM chunk cut off');
    } else if (id === 'SSND') {
      ssndBody = body;
      ssndSize = size;
      if (comm) break;
    }
    pos = body + size + (size & 1);
  }
  if (!comm) throw new EmovoxInputError(name, 'corrupt AIFF: no COMM chunk');
  if (ssndBody < 0) throw new EmovoxInputError(name, 'corrupt AIFF: no SSND chunk');
  const c = new DataView(comm.buffer, comm.byteOffset, comm.byteLength);
  const channels = c.getInt16(0, false);
  const declaredFrames = c.getUint32(2, false);
  const sampleSize = c.getInt16(6, false);
  const sampleRate = readExtended80(comm, 8);
  let compression = 'NONE';
  if (aifc) {
    if (comm.length < 22)
      throw new EmovoxInputError(name, 'truncated AIFF-C: COMM chunk has no compression type');
    compression = fourCC(comm, 18);
  }
  const known = COMPRESSION[compression];
  if (!known) throw new EmovoxInputError(name, `AIFF-C compression '${compression}' is not supported`);
  const [encoding, littleEndian, forcedBits] = known;
  const bits = forcedBits ?? sampleSize;
  if (encoding === 'int' && (bits < 1 || bits > 32)) {
    throw new EmovoxInputError(name, `unsupported AIFF sample size ${bits} bits`);
  }
  const bytesPerSample = Math.ceil(bits / 8);
  const offsetBytes = src.read(ssndBody, 8);
  if (offsetBytes.length < 8) throw new EmovoxInputError(name, 'truncated AIFF: SSND chunk cut off');
  const skip = new DataView(offsetBytes.buffer, offsetBytes.byteOffset, 8).getUint32(0, false);
  const dataOffset = ssndBody + 8 + skip;
  const layout: PcmLayout = {
    format: aifc ? 'aifc' : 'aiff',
    codec:
      encoding === 'float'
        ? `pcm_f${bits}be`
        : encoding === 'ulaw'
          ? 'pcm_mulaw'
          : encoding === 'alaw'
            ? 'pcm_alaw'
            : bytesPerSample === 1
              ? 'pcm_s8'
              : `pcm_s${bytesPerSample * 8}${littleEndian ? 'le' : 'be'}`,
    sampleRate,
    channels,
    bitDepth: bits,
    encoding,
    bytesPerSample,
    littleEndian,
    dataOffset,
    frames: 0,
    warnings,
  };
  validateLayout(name, layout);
  const frameBytes = channels * bytesPerSample;
  const ssndBytes = Math.max(0, ssndSize - 8 - skip);
  const declaredBytes = Math.min(declaredFrames * frameBytes, ssndBytes);
  if (declaredFrames * frameBytes > ssndBytes) {
    warnings.push(
      `COMM declares ${declaredFrames} frames but the SSND chunk holds ${Math.floor(ssndBytes / frameBytes)}`,
    );
  }
  const available = Math.max(0, src.size - dataOffset);
  let bytes = declaredBytes;
  if (declaredBytes > available) {
    sizeShortfall(name, 'SSND chunk', declaredBytes, available, warnings, strict);
    bytes = available;
  }
  layout.frames = Math.floor(bytes / frameBytes);
  return layout;
}
