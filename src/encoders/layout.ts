// Which inputs and outputs of a user-supplied ONNX encoder mean what, from their names and shapes:
// the layouts torch.onnx.export and Hugging Face / optimum exports give wav2vec2, HuBERT, WavLM,
// data2vec and emotion2vec (waveform in; last_hidden_state and/or all hidden states out), and
// speaker-embedding models (waveform or fbank in, one vector out). Pure: works on metadata only.
import { EmovoxInputError } from '../util/errors.js';

/** One input or output as onnxruntime describes it. */
export interface ValueInfo {
  name: string;
  /** Element type ('float32', 'int64', 'bool', ...); undefined for non-tensors. */
  type?: string;
  /** Dimensions (numbers or symbolic names); empty when unknown. */
  shape: ReadonlyArray<number | string>;
}

/** How to feed a model the audio, and with what companion input. */
export interface InputLayout {
  /** The float audio input: [batch, samples] waveform, or [batch, frames, bins] features. */
  audio: string;
  /** 'waveform' for rank 2, 'fbank' for rank 3. */
  audioKind: 'waveform' | 'fbank';
  /** Feature bins of an fbank input when its shape says so. */
  bins?: number;
  /**
   * Companion input: `attention_mask` (1 = valid), `padding_mask` (true = padding, fairseq /
   * emotion2vec) or `lengths` (valid samples), with its element type.
   */
  mask?: { name: string; kind: 'attention' | 'padding' | 'lengths'; type: string };
}

/** Where the hidden states come out. */
export type OutputLayout =
  { kind: 'stacked'; name: string } | { kind: 'per-layer'; names: string[] } | { kind: 'last'; name: string };

const AUDIO_NAMES = [
  'input_values',
  'waveform',
  'waveforms',
  'source',
  'audio',
  'wav',
  'speech',
  'input',
  'feats',
  'features',
  'fbank',
  'x',
];

function describe(values: readonly ValueInfo[]): string {
  return values.map((v) => `${v.name} ${v.type ?? '?'} [${v.shape.join(', ')}]`).join('; ');
}

/**
 * Finds the audio input (a float tensor of rank 2 or 3; known names first) and the optional mask.
 * @throws EmovoxInputError(source, problem) when there is no float input or an input it cannot fill.
 */
export function detectInputs(inputs: readonly ValueInfo[], source: string): InputLayout {
  const floats = inputs.filter(
    (v) => v.type === 'float32' && (v.shape.length === 0 || v.shape.length === 2 || v.shape.length === 3),
  );
  const audio =
    AUDIO_NAMES.map((n) => floats.find((v) => v.name === n)).find((v) => v !== undefined) ?? floats[0];
  if (!audio)
    throw new EmovoxInputError(source, `no float32 audio input of rank 2 or 3 (inputs: ${describe(inputs)})`);
  const layout: InputLayout = {
    audio: audio.name,
    audioKind: audio.shape.length === 3 ? 'fbank' : 'waveform',
  };
  const last = audio.shape[2];
  if (layout.audioKind === 'fbank' && typeof last === 'number') layout.bins = last;
  for (const v of inputs) {
    if (v === audio) continue;
    const lower = v.name.toLowerCase();
    const kind = lower.includes('attention_mask')
      ? 'attention'
      : lower.includes('padding_mask')
        ? 'padding'
        : lower === 'lengths' || lower === 'length' || lower === 'wav_lens'
          ? 'lengths'
          : null;
    if (!kind || layout.mask)
      throw new EmovoxInputError(source, `cannot fill input ${v.name} (inputs: ${describe(inputs)})`);
    layout.mask = { name: v.name, kind, type: v.type ?? 'int64' };
  }
  return layout;
}

const LAYER_NAME = /^(?:hidden_states?|encoder_layer|layer|layers)[._-]?(\d+)$/i;

/**
 * Finds the hidden states among the outputs: one `hidden_states` tensor of rank 4 (all layers
 * stacked, [layers, batch, frames, dim] as torch.stack gives), per-layer outputs
 * (`hidden_states.0`, `hidden_states_1`, `layer_2`, ..., ordered by number), or the last layer
 * (`last_hidden_state`, else the first float output of rank 3).
 * @throws EmovoxInputError(source, problem) when none fits.
 */
export function detectHiddenStates(outputs: readonly ValueInfo[], source: string): OutputLayout {
  const stacked = outputs.find((v) => /^hidden_states?$/i.test(v.name) && v.shape.length === 4);
  if (stacked) return { kind: 'stacked', name: stacked.name };
  const layers = outputs
    .map((v) => ({ v, m: LAYER_NAME.exec(v.name) }))
    .filter((x) => x.m !== null)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]));
  if (layers.length > 0) return { kind: 'per-layer', names: layers.map((x) => x.v.name) };
  const last =
    outputs.find((v) => v.name === 'last_hidden_state') ??
    outputs.find((v) => v.type === 'float32' && v.shape.length === 3);
  if (last) return { kind: 'last', name: last.name };
  throw new EmovoxInputError(
    source,
    `no hidden-state output: expected last_hidden_state, hidden_states [layers, batch, frames, dim] or hidden_states.N (outputs: ${describe(outputs)})`,
  );
}

/**
 * The embedding output of a speaker model: `embs` / `embedding(s)` / `spk_embedding`, else the
 * first float output of rank 2 ([batch, dim]) or 3 ([batch, 1, dim]).
 * @throws EmovoxInputError(source, problem) when none fits.
 */
export function detectEmbedding(outputs: readonly ValueInfo[], source: string): string {
  const named = outputs.find((v) =>
    /^(embs|embeddings?|spk_embedding|xvector|speaker_embedding)$/i.test(v.name),
  );
  const found =
    named ?? outputs.find((v) => v.type === 'float32' && (v.shape.length === 2 || v.shape.length === 3));
  if (!found)
    throw new EmovoxInputError(source, `no embedding output of rank 2 (outputs: ${describe(outputs)})`);
  return found.name;
}
