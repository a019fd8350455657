import type { Readable } from 'node:stream';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { PcmStreamDecoder, type RawPcmFormat } from '../../infer/pcm-stream.js';
import { createStreamingRecognizer } from '../../infer/recognizer.js';
import type { StreamEvent, StreamingRecognizer, StreamSummary } from '../../infer/stream.js';
import { EmovoxInputError, EmovoxParameterError } from '../../util/errors.js';
import { EXIT, parseCount } from '../report.js';
import type { CommandModule } from './index.js';

/** Options of `emovox listen` (as commander parses them). */
export interface ListenOptions {
  rate: number;
  format: RawPcmFormat;
  channels: number;
  model?: string;
  vad: 'silero' | 'energy';
  interim: number;
  maxSegment: number;
  json?: boolean;
}

function parseRate(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1000 || n > 384000)
    throw new InvalidArgumentError('must be an integer sample rate in 1000..384000 Hz');
  return n;
}

function parseChannels(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new InvalidArgumentError('must be an integer in 1..32');
  return n;
}

function clock(s: number): string {
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${(s - 60 * m).toFixed(2).padStart(5, '0')}`;
}

/** One event as a line of text. */
export function eventLine(e: StreamEvent): string {
  const head = `${clock(e.startS)}-${clock(e.endS)} ${e.type === 'interim' ? '(interim)' : 'segment  '}`;
  if (e.problem) return `${head} not scored: ${e.problem}`;
  const top = Object.entries(e.scores)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([l, p]) => `${l} ${p.toFixed(2)}`)
    .join(', ');
  const smoothed = e.smoothed && e.smoothed.label !== e.label ? `; recent segments: ${e.smoothed.label}` : '';
  return `${head} ${`${e.label}${e.lowConfidence ? '?' : ''}`.padEnd(10)} ${e.confidence.toFixed(2)}  (${top}${smoothed})`;
}

/** The closing summary as text lines. */
export function summaryLines(s: StreamSummary): string[] {
  const lines = [
    `summary: ${s.durationS.toFixed(1)} s of audio, ${s.segments} speech segment${s.segments === 1 ? '' : 's'} (${s.speechS.toFixed(1)} s), ${s.lowConfidence} low-confidence`,
  ];
  const ranked = Object.entries(s.labels)
    .filter(([, v]) => v.segments > 0)
    .sort((a, b) => b[1].seconds - a[1].seconds);
  for (const [label, v] of ranked)
    lines.push(
      `  ${label.padEnd(10)} ${String(v.segments).padStart(4)} segments ${v.seconds.toFixed(1).padStart(7)} s ${s.speechS > 0 ? ((100 * v.seconds) / s.speechS).toFixed(0).padStart(4) : '   0'} %`,
    );
  if (s.dominant) lines.push(`  dominant: ${s.dominant}`);
  return lines;
}

/**
 * Runs `emovox listen` on a byte stream: raw PCM in, events out as segments end, a summary at
 * the end of the input or on `stop` (Ctrl-C).
 * @param input - the PCM byte stream (stdin).
 * @param stop - resolves when the user asks to stop (SIGINT); the stream is then ended cleanly.
 * @returns 0, or 1 when segments could not be scored or the input ended inside a sample frame.
 */
export async function runListen(
  input: Readable,
  options: ListenOptions,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
  stop?: Promise<void>,
): Promise<number> {
  const decoder = new PcmStreamDecoder(options.format, options.channels);
  let recognizer: StreamingRecognizer;
  try {
    recognizer = await createStreamingRecognizer({
      sampleRate: options.rate,
      model: options.model,
      vad: options.vad,
      interimMs: options.interim,
      maxSegmentMs: options.maxSegment * 1000,
    });
  } catch (error) {
    if (error instanceof EmovoxInputError && !(error instanceof EmovoxParameterError))
      throw new EmovoxParameterError('--model', error.message);
    throw error;
  }
  let failed = 0;
  const print = (events: StreamEvent[]) => {
    for (const e of events) {
      if (e.problem) failed++;
      out(options.json ? JSON.stringify({ ...e }) : eventLine(e));
    }
  };
  err(
    `listening: ${options.format}, ${options.rate} Hz, ${options.channels} channel${options.channels === 1 ? '' : 's'} on stdin, ${options.vad} voice activity detection (Ctrl-C or end of input to finish)`,
  );
  let stopped = false;
  const stopping = stop?.then(() => {
    stopped = true;
    input.destroy();
  });
  void stopping;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (stopped) break;
      print(
        await recognizer.push(decoder.decode(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))),
      );
    }
  } catch (error) {
    // A stream destroyed by Ctrl-C ends the loop with an error on some Node versions: that is the stop.
    if (!stopped) throw error;
  }
  print(await recognizer.end());
  await recognizer.close();
  const summary = recognizer.summary();
  if (options.json) out(JSON.stringify({ type: 'summary', ...summary }));
  else for (const line of summaryLines(summary)) out(line);
  if (decoder.pending > 0)
    err(`warning: the input ended inside a sample frame (${decoder.pending} bytes ignored)`);
  if (decoder.nonFinite > 0) err(`warning: ${decoder.nonFinite} non-finite float samples read as 0`);
  if (failed > 0) err(`${failed} segment${failed === 1 ? '' : 's'} could not be scored`);
  return failed > 0 || decoder.pending > 0 ? EXIT.failed : EXIT.ok;
}

/** `emovox listen`: live emotion recognition on raw PCM from stdin. */
export const listenCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('listen')
      .description(
        'Recognise emotion live from raw PCM on stdin (e.g. `arecord -f S16_LE -r 16000 -c 1 -t raw | emovox listen`, ' +
          'or `ffmpeg -f pulse -i default -f s16le -ac 1 -ar 16000 - | emovox listen`): voice activity detection cuts ' +
          'speech segments, each is scored as it ends. Ctrl-C or the end of input finishes with a summary.',
      )
      .option('-r, --rate <hz>', 'sample rate of the input', parseRate, 16000)
      .addOption(
        new Option('--format <format>', 'sample format (little-endian)')
          .choices(['s16le', 'f32le'])
          .default('s16le'),
      )
      .option('-c, --channels <n>', 'interleaved channels (averaged to mono)', parseChannels, 1)
      .option('-m, --model <bundle>', 'a bundled model name or a bundle path (default: emovox-acted7)')
      .addOption(
        new Option('--vad <kind>', 'voice activity detector').choices(['silero', 'energy']).default('silero'),
      )
      .option(
        '--interim <ms>',
        'also score long segments every this many ms while they go on (0 = off)',
        parseCount,
        0,
      )
      .option(
        '--max-segment <seconds>',
        'cut segments at this length',
        (v) => {
          const n = Number(v);
          if (!(n >= 0.5 && n <= 120)) throw new InvalidArgumentError('must be 0.5..120 seconds');
          return n;
        },
        10,
      )
      .option('--json', 'one JSON object per event on stdout, the summary last ({"type":"summary",...})')
      .action(async (options: ListenOptions) => {
        // Ctrl-C ends the stream cleanly (summary, exit 0); a second Ctrl-C quits at once. listen
        // writes no files, so the default interrupt handler (which cleans temporary files) is not needed.
        process.removeAllListeners('SIGINT');
        let interrupts = 0;
        const stop = new Promise<void>((resolveStop) =>
          process.on('SIGINT', () => {
            if (++interrupts > 1) process.exit(EXIT.interrupted);
            resolveStop();
          }),
        );
        process.exitCode = await runListen(process.stdin, options, console.log, console.error, stop);
      });
  },
};
