import type { Pffft } from './pffft.js';
import { readFrame } from './frame.js';
import type { StftParams } from './stft.js';
import type { AudioSamples } from './validate.js';

/**
 * Returns `spectrum(t)`: the extended PFFFT output of frame `t` of `y`, **unwindowed** (callers
 * apply a Hann/Hamming window in the spectrum as a 3-tap convolution). Interior frames are
 * transformed in place from a block of the signal copied into wasm memory once (no per-frame
 * copy; needs a hop that is a multiple of 4 for alignment); edge frames go through
 * `readFrame` with centre padding. Frames must be requested in increasing order.
 */
export function unwindowedSpectra(fft: Pffft, y: AudioSamples, p: StftParams): (t: number) => Float32Array {
  const padLeft = p.center ? Math.floor(p.nFft / 2) : 0;
  const inPlace = p.hopLength % 4 === 0;
  // at most 64 frames and about 4 MiB of signal per block
  const blockFrames = Math.max(1, Math.min(64, Math.floor((1 << 20) / p.hopLength)));
  let blockBegin = 0;
  let blockEnd = 0; // first frame after the loaded block
  return (t: number): Float32Array => {
    const begin = t * p.hopLength - padLeft;
    if (inPlace && begin >= 0 && begin + p.nFft <= y.length) {
      if (t >= blockEnd) {
        const interior = Math.floor((y.length - p.nFft - begin) / p.hopLength) + 1;
        const count = Math.min(blockFrames, interior);
        fft.loadBlock(y, begin, (count - 1) * p.hopLength + p.nFft);
        blockBegin = begin;
        blockEnd = t + count;
      }
      return fft.transformBlockExtended(begin - blockBegin);
    }
    readFrame(y, t, p.nFft, p.hopLength, padLeft, p.padMode, null, fft.input());
    return fft.transformExtended();
  };
}
