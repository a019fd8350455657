// Streaming sample-rate conversion for live input (chunks of any size): a Kaiser-windowed sinc
// interpolator with a fixed delay, state carried between chunks. Pure.
import { EmovoxInputError } from '../util/errors.js';

/** Zero crossings of the sinc on each side at the lower rate. */
const ZERO_CROSSINGS = 16;
/** Kernel table resolution (phases per input sample); linear interpolation between them. */
const PHASES = 256;
const KAISER_BETA = 8.6;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 100; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  return sum;
}

/**
 * Converts a stream from one rate to another, chunk by chunk, with bounded memory: the output
 * of any split of the input into chunks is the same, and lags the input by about
 * `16 / min(1, out/in)` input samples (1 ms at 16 kHz). Anti-aliasing cut-off at 90 % of the
 * lower Nyquist frequency, about 80 dB stop-band. Meant for voice activity detection on live
 * input; whole utterances go through `resample` (src/audio/resample.ts), as in training.
 */
export class StreamResampler {
  private readonly step: number;
  private readonly half: number;
  private readonly table: Float32Array;
  private readonly scale: number;
  private buffer = new Float32Array(4096);
  /** Valid samples in `buffer`. */
  private length = 0;
  /** Absolute input index of buffer[0]. */
  private offset = 0;
  /** Input samples received. */
  private received = 0;
  /** Next output sample index. */
  private produced = 0;

  /**
   * @param inRate - input rate in Hz (positive integer).
   * @param outRate - output rate in Hz (positive integer).
   */
  constructor(
    readonly inRate: number,
    readonly outRate: number,
  ) {
    for (const [name, r] of [
      ['input rate', inRate],
      ['output rate', outRate],
    ] as const) {
      if (!Number.isInteger(r) || r < 1 || r > 1_000_000)
        throw new EmovoxInputError(
          'StreamResampler',
          `${name} must be an integer in 1..1000000 Hz, got ${r}`,
        );
    }
    this.step = inRate / outRate;
    const ratio = Math.min(1, outRate / inRate);
    const cutoff = 0.9 * ratio; // fraction of the input Nyquist
    this.half = Math.ceil(ZERO_CROSSINGS / ratio);
    this.scale = cutoff;
    // table[j] = kernel at distance j / PHASES input samples, j in [0, half * PHASES].
    const n = this.half * PHASES + 2;
    this.table = new Float32Array(n);
    const i0b = besselI0(KAISER_BETA);
    for (let j = 0; j < n; j++) {
      const x = j / PHASES;
      const u = x / this.half;
      const window = u >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - u * u)) / i0b;
      const arg = Math.PI * cutoff * x;
      this.table[j] = (x === 0 ? 1 : Math.sin(arg) / arg) * window;
    }
  }

  private kernel(distance: number): number {
    const d = Math.abs(distance) * PHASES;
    const j = Math.floor(d);
    if (j >= this.table.length - 1) return 0;
    const f = d - j;
    return this.table[j] + f * (this.table[j + 1] - this.table[j]);
  }

  /**
   * Feeds input samples and returns the output samples now computable (possibly none).
   * @param chunk - input samples at `inRate` (any length).
   */
  push(chunk: Float32Array): Float32Array {
    if (this.inRate === this.outRate) {
      this.received += chunk.length;
      this.produced += chunk.length;
      return chunk.slice();
    }
    this.append(chunk);
    this.received += chunk.length;
    const out: number[] = [];
    for (;;) {
      const t = (this.produced * this.inRate) / this.outRate;
      const centre = Math.floor(t);
      if (centre + this.half >= this.received) break;
      out.push(this.sample(t, centre));
      this.produced++;
    }
    this.discard(Math.floor((this.produced * this.inRate) / this.outRate) - this.half);
    return Float32Array.from(out);
  }

  /** Flushes the delayed tail (the input treated as followed by silence); the stream ends. */
  flush(): Float32Array {
    if (this.inRate === this.outRate) return new Float32Array(0);
    const end = Math.floor((this.received * this.outRate) / this.inRate);
    const out: number[] = [];
    while (this.produced < end) {
      const t = (this.produced * this.inRate) / this.outRate;
      out.push(this.sample(t, Math.floor(t)));
      this.produced++;
    }
    return Float32Array.from(out);
  }

  private sample(t: number, centre: number): number {
    let acc = 0;
    const from = Math.max(this.offset, centre - this.half + 1);
    const to = Math.min(this.received - 1, centre + this.half);
    for (let i = from; i <= to; i++) acc += this.buffer[i - this.offset] * this.kernel(t - i);
    return acc * this.scale;
  }

  private append(chunk: Float32Array): void {
    if (this.length + chunk.length > this.buffer.length) {
      const grown = new Float32Array(Math.max(this.buffer.length * 2, this.length + chunk.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** Drops input before absolute index `keepFrom`. */
  private discard(keepFrom: number): void {
    const drop = Math.min(this.length, keepFrom - this.offset);
    if (drop <= 0) return;
    this.buffer.copyWithin(0, drop, this.length);
    this.length -= drop;
    this.offset += drop;
  }
}
