// Silero VAD (MIT, snakers4/silero-vad) as a frame scorer, run by onnxruntime-node. The ONNX
// file is not part of emovox: it is read at run time from the npm package @ricky0123/vad-web
// (ISC), which ships it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import '../util/ort-telemetry-off.js'; // before onnxruntime-node loads: see the module
import * as ort from 'onnxruntime-node';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { SILERO_CONTEXT, SILERO_FRAME, SILERO_RATE, SileroFrames } from './silero-frames.js';
import type { FrameVad } from './vad.js';

/** Silero model versions shipped by @ricky0123/vad-web that share the v5 interface. */
export type SileroVersion = 'v5' | 'v6';

/**
 * Path of a Silero VAD ONNX file inside the installed @ricky0123/vad-web package.
 * @throws EmovoxInputError('silero-vad', problem) when the package or the file is missing.
 */
export function sileroModelPath(version: SileroVersion = 'v5'): string {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('@ricky0123/vad-web/package.json'));
  } catch (error) {
    throw new EmovoxInputError(
      'silero-vad',
      `the npm package @ricky0123/vad-web (which ships the Silero VAD model) is not installed: ${errorMessage(error)}`,
    );
  }
  return join(dir, 'dist', `silero_vad_${version}.onnx`);
}

/**
 * Silero VAD v5 as a {@link FrameVad}: speech probability of each 32 ms frame of a 16 kHz
 * stream, with the recurrent state carried between frames. One instance per stream.
 */
export class SileroVad implements FrameVad {
  readonly rate = SILERO_RATE;
  readonly frameSamples = SILERO_FRAME;
  private readonly frames = new SileroFrames();
  private readonly sr = new ort.Tensor('int64', BigInt64Array.of(BigInt(SILERO_RATE)), []);

  private constructor(private readonly session: ort.InferenceSession) {}

  /**
   * Loads the model (about 2 MB, a few tens of ms).
   * @param version - v5 (default) or v6.
   * @throws EmovoxInputError('silero-vad', problem) when the file is missing or unreadable.
   */
  static async load(version: SileroVersion = 'v5'): Promise<SileroVad> {
    const path = sileroModelPath(version);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (error) {
      throw new EmovoxInputError(path, `cannot read the Silero VAD model: ${errorMessage(error)}`);
    }
    try {
      const session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
      });
      return new SileroVad(session);
    } catch (error) {
      throw new EmovoxInputError(
        path,
        `onnxruntime cannot load the Silero VAD model: ${errorMessage(error)}`,
      );
    }
  }

  /** Speech probability of the next 512-sample frame (shorter frames are zero-padded). */
  async score(frame: Float32Array): Promise<number> {
    const { input, state } = this.frames.next(frame);
    const out = await this.session.run({
      input: new ort.Tensor('float32', input, [1, SILERO_CONTEXT + SILERO_FRAME]),
      state: new ort.Tensor('float32', state, [2, 1, 128]),
      sr: this.sr,
    });
    this.frames.update(out.stateN.data as Float32Array);
    return (out.output.data as Float32Array)[0];
  }

  reset(): void {
    this.frames.reset();
  }

  /** Releases the native session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
