// The stream state of Silero VAD v5/v6 (MIT, snakers4/silero-vad), shared by the onnxruntime-node
// scorer (silero.ts) and the onnxruntime-web one (session-web.ts): pure code, no runtime.

/** Samples per frame at 16 kHz (32 ms). */
export const SILERO_FRAME = 512;
/** Samples of the previous frame the model sees before each frame. */
export const SILERO_CONTEXT = 64;
/** The only rate the model takes, in Hz. */
export const SILERO_RATE = 16000;

/**
 * What Silero carries from frame to frame: the last {@link SILERO_CONTEXT} samples and the
 * recurrent state [2, 1, 128]. One instance per stream.
 */
export class SileroFrames {
  private state = new Float32Array(2 * 128);
  private context = new Float32Array(SILERO_CONTEXT);
  private readonly input = new Float32Array(SILERO_CONTEXT + SILERO_FRAME);

  /**
   * The model inputs for the next frame: `input` [1, 576] = context + the frame (zero-padded to
   * 512 samples, longer frames cut) and `state` [2, 1, 128]. `input` is reused by the next call.
   */
  next(frame: Float32Array): { input: Float32Array; state: Float32Array } {
    this.input.set(this.context, 0);
    this.input.fill(0, SILERO_CONTEXT);
    this.input.set(frame.subarray(0, SILERO_FRAME), SILERO_CONTEXT);
    this.context = this.input.slice(SILERO_FRAME, SILERO_FRAME + SILERO_CONTEXT);
    return { input: this.input, state: this.state };
  }

  /** Keeps the state the model returned (`stateN`) for the next frame. */
  update(stateN: Float32Array): void {
    this.state = new Float32Array(stateN);
  }

  /** Starts a new stream: zero context and state. */
  reset(): void {
    this.state = new Float32Array(2 * 128);
    this.context = new Float32Array(SILERO_CONTEXT);
  }
}
