// Speaker-embedding encoders (x-vector, ECAPA-TDNN, ResNet speaker models) exported to ONNX by the
// user: waveform or Kaldi fbank features in, one utterance vector out. Such a vector feeds the
// `extra` input of bilstmAttention or any vector model (feature set `speaker-embedding`).
import type * as Ort from 'onnxruntime-node';
import { EmovoxInputError } from '../util/errors.js';
import { kaldiFbank, type KaldiFbankOptions } from '../features/kaldi-fbank.js';
import { detectEmbedding, detectInputs, type InputLayout } from './layout.js';
import { onnxRuntime, openModel } from './ort.js';

/** Options of {@link SpeakerEncoder.embed}. */
export interface SpeakerEmbeddingOptions {
  /**
   * Kaldi fbank front end for models with a [batch, frames, bins] input (default WeSpeaker's: 80
   * bins, 25 / 10 ms, int16 scale (`scale` 32768), `energyFloor` 0, Povey window, dither 0).
   */
  fbank?: KaldiFbankOptions;
  /** Subtract the utterance mean of each fbank bin (CMN), as WeSpeaker does (default true). */
  cmn?: boolean;
  /** Scale the embedding to unit L2 norm (default false). */
  l2Normalize?: boolean;
}

/** WeSpeaker's fbank front end (wespeaker compute_fbank: int16-scaled waveform, energy floor 0). */
export const SPEAKER_FBANK: KaldiFbankOptions = {
  numMelBins: 80,
  frameLength: 25,
  frameShift: 10,
  scale: 32768,
  energyFloor: 0,
};

/** A user-supplied ONNX speaker-embedding model. One instance per thread. */
export class SpeakerEncoder {
  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    /** The audio input: waveform [batch, samples] or fbank [batch, frames, bins]. */
    readonly input: InputLayout,
    /** The embedding output. */
    readonly output: string,
    readonly source: string,
  ) {}

  /**
   * Opens `path` and detects whether it takes a waveform or fbank features.
   * @throws EmovoxInputError(path, problem) for unreadable models or layouts it cannot drive.
   */
  static async open(path: string, threads?: number): Promise<SpeakerEncoder> {
    const model = await openModel(path, threads);
    return new SpeakerEncoder(
      await onnxRuntime(),
      model.session,
      detectInputs(model.inputs, path),
      detectEmbedding(model.outputs, path),
      path,
    );
  }

  /** Frees the onnxruntime session. */
  async release(): Promise<void> {
    await this.session.release();
  }

  /**
   * The embedding of one utterance (the whole recording in one run: speaker models pool over any
   * length).
   * @param samples - mono audio at `sampleRate` (16 kHz for the usual models).
   */
  async embed(
    samples: Float32Array,
    sampleRate: number,
    o: SpeakerEmbeddingOptions = {},
  ): Promise<Float32Array> {
    const T = this.ort.Tensor;
    let audio: Ort.Tensor;
    let length: number;
    if (this.input.audioKind === 'fbank') {
      const fbank = kaldiFbank(samples, sampleRate, { ...SPEAKER_FBANK, ...o.fbank });
      if (fbank.frames === 0) throw new EmovoxInputError(this.source, 'audio shorter than one fbank frame');
      if (this.input.bins !== undefined && this.input.bins !== fbank.bins)
        throw new EmovoxInputError(
          this.source,
          `expects ${this.input.bins} fbank bins, got ${fbank.bins} (set numMelBins)`,
        );
      if (o.cmn ?? true) {
        for (let b = 0; b < fbank.bins; b++) {
          let mean = 0;
          for (let t = 0; t < fbank.frames; t++) mean += fbank.data[t * fbank.bins + b];
          mean /= fbank.frames;
          for (let t = 0; t < fbank.frames; t++) fbank.data[t * fbank.bins + b] -= mean;
        }
      }
      audio = new T('float32', fbank.data, [1, fbank.frames, fbank.bins]);
      length = fbank.frames;
    } else {
      audio = new T('float32', samples, [1, samples.length]);
      length = samples.length;
    }
    const feeds: Record<string, Ort.Tensor> = { [this.input.audio]: audio };
    const mask = this.input.mask;
    if (mask) {
      const value =
        mask.kind === 'attention' ? 1 : mask.kind === 'padding' ? 0 : mask.kind === 'lengths' ? length : 0;
      const n = mask.kind === 'lengths' ? 1 : length;
      const shape = mask.kind === 'lengths' ? [1] : [1, length];
      // SpeechBrain's wav_lens are relative lengths in (0, 1].
      const v = mask.name === 'wav_lens' ? 1 : value;
      feeds[mask.name] =
        mask.type === 'int64'
          ? new T('int64', new BigInt64Array(n).fill(BigInt(v)), shape)
          : mask.type === 'int32'
            ? new T('int32', new Int32Array(n).fill(v), shape)
            : mask.type === 'bool'
              ? new T('bool', new Uint8Array(n).fill(v ? 1 : 0), shape)
              : new T('float32', new Float32Array(n).fill(v), shape);
    }
    const out = (await this.session.run(feeds, [this.output]))[this.output];
    const data = Float32Array.from(out.data as Float32Array);
    if (o.l2Normalize) {
      let norm = 0;
      for (const v of data) norm += v * v;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < data.length; i++) data[i] /= norm;
    }
    return data;
  }
}
