// Resampler quality and speed: passband ripple, stopband level and seconds of audio per CPU second.
// Usage: node --import tsx bench/audio-resample.ts
import { resample, type ResampleQuality } from '../src/audio/index.js';

function tone(freq: number, sr: number, seconds: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * sr) },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * freq * i) / sr + 0.3),
  );
}

/** RMS of the middle 80 % (away from the zero-padded ends). */
function rmsMiddle(y: Float32Array): number {
  const from = Math.floor(y.length * 0.1);
  const to = Math.floor(y.length * 0.9);
  let s = 0;
  for (let i = from; i < to; i++) s += y[i] * y[i];
  return Math.sqrt(s / (to - from));
}

const reference = 0.5 / Math.SQRT2;
const pairs: Array<[number, number]> = [
  [16000, 22050],
  [48000, 16000],
  [44100, 16000],
];
for (const quality of ['high', 'medium', 'low'] as ResampleQuality[]) {
  for (const [srIn, srOut] of pairs) {
    const nyq = Math.min(srIn, srOut) / 2;
    const edge = { high: 0.9, medium: 0.8, low: 0.7 }[quality];
    let ripple = 0;
    for (let f = 0.05; f <= edge + 1e-9; f += 0.01) {
      const out = resample(tone(f * nyq, srIn, 0.2), srIn, srOut, { quality });
      ripple = Math.max(ripple, Math.abs(20 * Math.log10(rmsMiddle(out) / reference)));
    }
    let stop = -Infinity;
    if (srOut < srIn) {
      for (let f = 1.0; f <= Math.min(3, srIn / srOut) - 0.01; f += 0.01) {
        const out = resample(tone((f * srOut) / 2, srIn, 0.2), srIn, srOut, { quality });
        stop = Math.max(stop, 20 * Math.log10(rmsMiddle(out) / reference));
      }
    }
    const y = tone(440, srIn, 20);
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = process.cpuUsage();
      resample(y, srIn, srOut, { quality });
      const used = process.cpuUsage(t0);
      best = Math.min(best, (used.user + used.system) / 1e6);
    }
    console.log(
      `${quality.padEnd(6)} ${srIn} -> ${srOut}: passband ripple (0.05..${edge} Nyquist) ${ripple.toFixed(4)} dB, ` +
        `stopband ${Number.isFinite(stop) ? `${stop.toFixed(1)} dB` : 'n/a (upsampling)'}, speed ${(20 / best).toFixed(0)} x real time`,
    );
  }
}
