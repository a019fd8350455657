// Meyda (MIT, devDependency) side of the feature benchmark: the same framing as emovox
// (n_fft 2048, hop 512, centred with zero padding, Hann window), one Meyda.extract per frame.
import MeydaModule from 'meyda';

// meyda's types describe its ESM build; Node loads its CommonJS build, whose default export is the object.
interface MeydaApi {
  bufferSize: number;
  sampleRate: number;
  melBands: number;
  numberOfMFCCCoefficients: number;
  windowingFunction: string;
  extract(features: string[], signal: Float32Array): Record<string, ArrayLike<number> | undefined> | null;
}
const Meyda = MeydaModule as unknown as MeydaApi;

const N_FFT = 2048;
const HOP = 512;

function paddedFrames(y: Float32Array): { padded: Float32Array; frames: number } {
  const pad = N_FFT / 2;
  const padded = new Float32Array(y.length + 2 * pad);
  padded.set(y, pad);
  const frames = 1 + Math.floor((padded.length - N_FFT) / HOP);
  return { padded, frames };
}

function configure(sampleRate: number): void {
  Meyda.bufferSize = N_FFT;
  Meyda.sampleRate = sampleRate;
  Meyda.melBands = 128;
  Meyda.numberOfMFCCCoefficients = 40;
  Meyda.windowingFunction = 'hanning';
}

/** MFCC-40 per frame at 16 kHz; returns the number of values produced and a checksum. */
export function meydaMfcc40(clips: readonly Float32Array[]): { values: number; checksum: number } {
  configure(16000);
  let values = 0;
  let checksum = 0;
  for (const y of clips) {
    const { padded, frames } = paddedFrames(y);
    for (let t = 0; t < frames; t++) {
      const mfcc = Meyda.extract(['mfcc'], padded.subarray(t * HOP, t * HOP + N_FFT))?.mfcc;
      if (!mfcc) throw new Error('Meyda returned no mfcc');
      values += mfcc.length;
      checksum += mfcc[0];
    }
  }
  return { values, checksum };
}

/**
 * The 180-value clip vector at 22050 Hz from Meyda's equivalents: time means of mfcc (40),
 * chroma (12) and melBands (128), one Meyda.extract per frame (spectrum computed once per call).
 */
export function meydaVector180(clips: readonly Float32Array[]): { values: number; checksum: number } {
  configure(22050);
  let values = 0;
  let checksum = 0;
  for (const y of clips) {
    const { padded, frames } = paddedFrames(y);
    const sum = new Float64Array(180);
    for (let t = 0; t < frames; t++) {
      const f = Meyda.extract(['mfcc', 'chroma', 'melBands'], padded.subarray(t * HOP, t * HOP + N_FFT));
      const mfcc = f?.mfcc;
      const chroma = f?.chroma;
      const mel = f?.melBands;
      if (!mfcc || !chroma || !mel) throw new Error('Meyda returned no features');
      for (let i = 0; i < 40; i++) sum[i] += mfcc[i];
      for (let i = 0; i < 12; i++) sum[40 + i] += chroma[i];
      for (let i = 0; i < 128; i++) sum[52 + i] += mel[i];
    }
    const vector = Float32Array.from(sum, (v) => v / frames);
    values += vector.length;
    checksum += vector[0];
  }
  return { values, checksum };
}
