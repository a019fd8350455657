// fusion: an audio feature-vector branch and a transcript text branch, fused by an MLP.
import * as L from '../onnx/layers.js';
import { classes, configError, dropout, intList, positiveInt } from './checks.js';
import type { LayerPlan, ModelKind } from './kind.js';
import { B, classifierHeadPlan, linearPlan, noParams, reluStackPlan } from './plan-blocks.js';

/** Audio feature-vector branch + transcript text branch, fused by an MLP. */
export interface FusionConfig {
  kind: 'fusion';
  /** Audio feature vector length (input `audio`). */
  audioDim: number;
  classes: number;
  /** Audio branch hidden widths (Linear + ReLU + Dropout; default [128]). */
  audioHidden?: number[];
  /**
   * Text branch input: 'embedding' takes a precomputed text embedding vector (input `text`,
   * float32 [batch, textDim]); 'tokens' takes token ids (input `tokens`, int64 [batch, length],
   * 0 = padding) through an Embedding + masked mean pool. Default 'embedding'.
   */
  textInput?: 'embedding' | 'tokens';
  /** Text embedding length for 'embedding' (default 384). */
  textDim?: number;
  /** Vocabulary size for 'tokens' (id 0 is padding). */
  vocabSize?: number;
  /** Embedding width for 'tokens' (default 64). */
  embedDim?: number;
  /** Text branch projection width (default 64). */
  textHidden?: number;
  /** Fusion MLP width (default 64). */
  dense?: number;
  /** Dropout probability (default 0.3). */
  dropout?: number;
}

/**
 * The `fusion` kind. Inputs `audio` [batch, audioDim] and `text` [batch, textDim] or `tokens`
 * int64 [batch, length]; parameters `audio.i.*`, `text.embedding.weight` (tokens), `text.proj.*`,
 * `dense.*`, `head.*`.
 */
export const fusionKind: ModelKind<FusionConfig> = {
  kind: 'fusion',
  resolve(c) {
    const textInput = c.textInput ?? 'embedding';
    if (textInput !== 'embedding' && textInput !== 'tokens') {
      configError(`textInput must be embedding or tokens, got ${String(textInput)}`);
    }
    return {
      kind: 'fusion',
      audioDim: positiveInt(c.audioDim, 'audioDim'),
      classes: classes(c),
      audioHidden: intList(c.audioHidden ?? [128], 'audioHidden'),
      textInput,
      textDim: positiveInt(c.textDim ?? 384, 'textDim'),
      vocabSize:
        textInput === 'tokens' ? positiveInt(c.vocabSize, 'vocabSize', 1 << 22) : Number(c.vocabSize ?? 0),
      embedDim: positiveInt(c.embedDim ?? 64, 'embedDim', 4096),
      textHidden: positiveInt(c.textHidden ?? 64, 'textHidden', 65536),
      dense: positiveInt(c.dense ?? 64, 'dense', 65536),
      dropout: dropout(c),
    };
  },
  plan(c) {
    const { rows, width } = reluStackPlan('audio', c.audioDim, c.audioHidden, c.dropout);
    const text: LayerPlan[] = [];
    let textIn = c.textDim;
    if (c.textInput === 'tokens') {
      text.push({
        name: 'text.embedding',
        type: `Embedding(${c.vocabSize}, ${c.embedDim}) + MeanPool`,
        outputShape: [B, c.embedDim],
        params: [
          {
            name: 'text.embedding.weight',
            shape: [c.vocabSize, c.embedDim],
            init: { kind: 'normal', std: 1, zeroRow: 0 },
            trainable: true,
          },
        ],
      });
      textIn = c.embedDim;
    }
    text.push(
      linearPlan('text.proj', textIn, c.textHidden),
      noParams('text.relu', 'ReLU', [B, c.textHidden]),
    );
    const fused = width + c.textHidden;
    return [...rows, ...text, noParams('concat', 'Concat', [B, fused]), ...classifierHeadPlan(fused, c)];
  },
  inputs: (c) => [
    { name: 'audio', elem: 'float32', shape: [B, c.audioDim] },
    c.textInput === 'tokens'
      ? { name: 'tokens', elem: 'int64', shape: [B, 'tokens'] }
      : { name: 'text', elem: 'float32', shape: [B, c.textDim] },
  ],
  build(c, model, nn) {
    const tokens = c.textInput === 'tokens';
    const audio = nn.reluStack(model, 'audio', c.audioDim, c.audioHidden, c.dropout);
    const embedding = tokens ? new nn.Embedding(c.vocabSize, c.embedDim, 0) : null;
    const proj = new nn.Linear(embedding ? c.embedDim : c.textDim, c.textHidden);
    model.layer('text', new nn.ModuleDict(embedding ? { embedding, proj } : { proj }));
    const head = nn.classifierHead(model, audio.width + c.textHidden, c.dense, c.classes);
    return (inputs) => {
      const a = audio.forward(model.input(inputs, 'audio'));
      const text = model.input(inputs, tokens ? 'tokens' : 'text');
      const t = proj.forward(embedding ? nn.maskedMean(embedding.forward(text), text.ne(0)) : text).relu();
      return head(nn.ops.cat([a, t], 1), c.dropout);
    };
  },
  onnx(g, c, w, inputs) {
    const a = L.reluStack(g, w, inputs.audio, 'audio', c.audioHidden.length);
    const text =
      c.textInput === 'tokens' ? L.embeddingMeanPool(g, w, inputs.tokens, 'text.embedding') : inputs.text;
    const t = g.node('Relu', [L.linear(g, w, text, 'text.proj')]);
    return L.classifierHead(g, w, g.node('Concat', [a, t], { axis: 1 }));
  },
};
