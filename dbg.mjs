import { readFileSync } from 'node:fs';
import CodecParser from 'codec-parser';
import { OggOpusDecoder } from 'ogg-opus-decoder';
const f = process.argv[2];
const bytes = readFileSync(f);
const parser = new CodecParser('audio/ogg', {
  enableFrameCRC32: true,
  onCodec: () => {},
  onCodecUpdate: () => {},
});
for (const p of parser.parseAll(bytes))
  console.log(
    'seq',
    p.pageSequenceNumber,
    'gran',
    p.absoluteGranulePosition,
    'last',
    p.isLastPage,
    'frames',
    p.codecFrames.length,
    'total',
    p.totalSamples,
    'samples',
    p.samples,
    'crc',
    p.crc32,
    'len',
    p.rawData?.length,
  );
const d = new OggOpusDecoder();
await d.ready;
const r = await d.decodeFile(bytes);
console.log('decoded', r.samplesDecoded, r.sampleRate, r.errors.length, r.errors.slice(0, 2));
d.free();
