// fusion: an audio feature-vector branch and a transcript text branch, fused early (concatenation),
// late (weighted average of per-modality predictions) or by attention over the modalities, with
// an optional per-item presence mask for a missing modality.
import type { OnnxGraphBuilder } from '../onnx/graph.js';
import * as L from '../onnx/layers.js';
import type { WeightMap } from '../weights.js';
import { classes, configError, dropout, intList, positiveInt, probability } from './checks.js';
import type { LayerPlan, ModelInput, ModelKind, Resolved } from './kind.js';
import { B, classifierHeadPlan, linearPlan, noParams, reluStackPlan } from './plan-blocks.js';

/** How the two modalities are combined. */
export type FusionMode = 'early' | 'late' | 'attention';

/** Audio feature-vector branch + transcript text branch. */
export interface FusionConfig {
  kind: 'fusion';
  /** Audio feature vector length (input `audio`). */
  audioDim: number;
  classes: number;
  /** Audio branch hidden widths (Linear + ReLU + Dropout; default [128]). */
  audioHidden?: number[];
  /**
   * Text branch input: 'embedding' takes a precomputed text embedding vector (input `text`,
   * float32 [batch, textDim]; e.g. from `OnnxTextEncoder`); 'tokens' takes token ids (input
   * `tokens`, int64 [batch, length], 0 = padding) through an Embedding + masked mean pool.
   * Default 'embedding'.
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
  /**
   * 'early' (default): concatenate the branch outputs, then Dense + head. 'late': a head per
   * modality (`audioHead`, `textHead`) and a weighted average of their predictions. 'attention':
   * project both to `fusedDim`, weigh them by additive attention over the modalities, sum, then
   * Dense + head.
   */
  fusion?: FusionMode;
  /** Late fusion: average the modalities' 'logits' (default) or their 'probabilities'. */
  lateAverage?: 'logits' | 'probabilities';
  /** Late fusion weights: 'learned' (softmax of `late.weight`, default) or 'fixed' (equal). */
  lateWeights?: 'learned' | 'fixed';
  /** Attention fusion: common width of the projected modalities (default 64). */
  fusedDim?: number;
  /**
   * Take a `presence` input, float32 [batch, 2] (1 = audio / text present, 0 = missing): a
   * missing modality's branch output is zeroed and left out of the fusion (its input values are
   * ignored). Default false (no `presence` input; both modalities always present).
   */
  presence?: boolean;
  /**
   * Training only, with `presence`: probability of hiding one modality of an item that has both
   * (which one is a coin flip), so the model learns to work with either alone (default 0).
   */
  modalityDropout?: number;
  /** Fusion MLP width (default 64). */
  dense?: number;
  /** Dropout probability (default 0.3). */
  dropout?: number;
}

type C = Resolved<FusionConfig>;

function textPlan(c: C): { rows: LayerPlan[]; width: number } {
  const rows: LayerPlan[] = [];
  let textIn = c.textDim;
  if (c.textInput === 'tokens') {
    rows.push({
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
  rows.push(linearPlan('text.proj', textIn, c.textHidden), noParams('text.relu', 'ReLU', [B, c.textHidden]));
  return { rows, width: c.textHidden };
}

/** Softmax of the learned late-fusion weights (or equal weights), computed in float64. */
export function lateFusionWeights(c: C, weights: WeightMap): [number, number] {
  if (c.lateWeights === 'fixed') return [0.5, 0.5];
  const w = weights.get('late.weight');
  if (!w) throw new Error('ONNX export: missing weight late.weight');
  const m = Math.max(w.data[0], w.data[1]);
  const e = [Math.exp(w.data[0] - m), Math.exp(w.data[1] - m)];
  return [e[0] / (e[0] + e[1]), e[1] / (e[0] + e[1])];
}

function presenceColumn(g: OnnxGraphBuilder, presence: string, column: number): string {
  return g.node('Slice', [
    presence,
    g.ints('start', [column]),
    g.ints('end', [column + 1]),
    g.ints('axis', [1]),
  ]);
}

/**
 * The `fusion` kind. Inputs `audio` [batch, audioDim], `text` [batch, textDim] or `tokens` int64
 * [batch, length], and `presence` float32 [batch, 2] when configured. Parameters `audio.i.*`,
 * `text.embedding.weight` (tokens), `text.proj.*`, then by mode: early `dense.*`, `head.*`; late
 * `audioHead.*`, `textHead.*`, `late.weight` (learned weights); attention `audioProj.*`,
 * `textProj.*`, `attention.score.*`, `dense.*`, `head.*`. Defaults reproduce the original
 * early-fusion model exactly (same parameters, inputs and outputs).
 */
export const fusionKind: ModelKind<FusionConfig> = {
  kind: 'fusion',
  resolve(c) {
    const textInput = c.textInput ?? 'embedding';
    if (textInput !== 'embedding' && textInput !== 'tokens') {
      configError(`textInput must be embedding or tokens, got ${String(textInput)}`);
    }
    const fusion = (c.fusion ?? 'early') as FusionMode;
    if (!['early', 'late', 'attention'].includes(fusion))
      configError(`fusion must be early, late or attention, got ${String(c.fusion)}`);
    const lateAverage = c.lateAverage ?? 'logits';
    if (lateAverage !== 'logits' && lateAverage !== 'probabilities')
      configError(`lateAverage must be logits or probabilities, got ${String(lateAverage)}`);
    const lateWeights = c.lateWeights ?? 'learned';
    if (lateWeights !== 'learned' && lateWeights !== 'fixed')
      configError(`lateWeights must be learned or fixed, got ${String(lateWeights)}`);
    const presence = c.presence ?? false;
    if (typeof presence !== 'boolean') configError('presence must be true or false');
    const modalityDropout = probability(c.modalityDropout ?? 0, 'modalityDropout');
    if (modalityDropout > 0 && !presence) configError('modalityDropout needs presence: true');
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
      fusion,
      lateAverage,
      lateWeights,
      fusedDim: positiveInt(c.fusedDim ?? 64, 'fusedDim', 65536),
      presence,
      modalityDropout,
      dense: positiveInt(c.dense ?? 64, 'dense', 65536),
      dropout: dropout(c),
    };
  },
  plan(c) {
    const audio = reluStackPlan('audio', c.audioDim, c.audioHidden, c.dropout);
    const text = textPlan(c);
    const branches = [...audio.rows, ...text.rows];
    if (c.fusion === 'late') {
      const rows = [
        ...branches,
        linearPlan('audioHead', audio.width, c.classes),
        linearPlan('textHead', text.width, c.classes),
      ];
      if (c.lateWeights === 'learned')
        rows.push({
          name: 'late',
          type: 'LateFusionWeights(2)',
          outputShape: [B, c.classes],
          params: [{ name: 'late.weight', shape: [2], init: { kind: 'const', value: 0 }, trainable: true }],
        });
      else rows.push(noParams('late', 'LateFusion(equal weights)', [B, c.classes]));
      return rows;
    }
    if (c.fusion === 'attention') {
      const score = linearPlan('attention.score', c.fusedDim, 1);
      return [
        ...branches,
        linearPlan('audioProj', audio.width, c.fusedDim),
        linearPlan('textProj', text.width, c.fusedDim),
        {
          name: 'attention',
          type: 'ModalityAttention(2)',
          outputShape: [B, c.fusedDim],
          params: score.params,
        },
        ...classifierHeadPlan(c.fusedDim, c),
      ];
    }
    const fused = audio.width + text.width;
    return [...branches, noParams('concat', 'Concat', [B, fused]), ...classifierHeadPlan(fused, c)];
  },
  inputs(c) {
    const inputs: ModelInput[] = [
      { name: 'audio', elem: 'float32', shape: [B, c.audioDim] },
      c.textInput === 'tokens'
        ? { name: 'tokens', elem: 'int64', shape: [B, 'tokens'] }
        : { name: 'text', elem: 'float32', shape: [B, c.textDim] },
    ];
    if (c.presence) inputs.push({ name: 'presence', elem: 'float32', shape: [B, 2] });
    return inputs;
  },
  build(c, model, nn) {
    const tokens = c.textInput === 'tokens';
    const audio = nn.reluStack(model, 'audio', c.audioDim, c.audioHidden, c.dropout);
    const embedding = tokens ? new nn.Embedding(c.vocabSize, c.embedDim, 0) : null;
    const proj = new nn.Linear(embedding ? c.embedDim : c.textDim, c.textHidden);
    model.layer('text', new nn.ModuleDict(embedding ? { embedding, proj } : { proj }));
    const late =
      c.fusion === 'late'
        ? {
            audio: model.layer('audioHead', new nn.Linear(audio.width, c.classes)),
            text: model.layer('textHead', new nn.Linear(c.textHidden, c.classes)),
            weight:
              c.lateWeights === 'learned' ? model.layer('late', new nn.ParameterVector([2], 0)).weight : null,
          }
        : null;
    const attention =
      c.fusion === 'attention'
        ? {
            audio: model.layer('audioProj', new nn.Linear(audio.width, c.fusedDim)),
            text: model.layer('textProj', new nn.Linear(c.textHidden, c.fusedDim)),
            score: model.layer('attention', new nn.ModuleDict({ score: new nn.Linear(c.fusedDim, 1) })).items
              .score,
          }
        : null;
    const head =
      c.fusion === 'late'
        ? null
        : nn.classifierHead(
            model,
            c.fusion === 'attention' ? c.fusedDim : audio.width + c.textHidden,
            c.dense,
            c.classes,
          );
    return (inputs) => {
      let a = audio.forward(model.input(inputs, 'audio'));
      const text = model.input(inputs, tokens ? 'tokens' : 'text');
      let t = proj.forward(embedding ? nn.maskedMean(embedding.forward(text), text.ne(0)) : text).relu();
      let presence = c.presence ? model.input(inputs, 'presence') : null;
      if (presence && c.modalityDropout > 0 && model.training) {
        // Hide one modality (coin flip which) of items that have both, with probability p.
        const both = presence.slice(1, 0, 1).mul(presence.slice(1, 1, 2));
        const hide = nn.ops.rand([presence.shape[0], 1]).lt(c.modalityDropout).float().mul(both);
        const coin = nn.ops.rand([presence.shape[0], 1]).lt(0.5).float();
        const drop = nn.ops.cat([hide.mul(coin), hide.mul(coin.neg().add(1))], 1);
        presence = presence.mul(drop.neg().add(1));
      }
      const pa = presence ? presence.slice(1, 0, 1) : null;
      const pt = presence ? presence.slice(1, 1, 2) : null;
      if (late) {
        const la = late.audio.forward(a);
        const lt = late.text.forward(t);
        const w = late.weight ? late.weight.softmax(0) : nn.ops.tensor([0.5, 0.5]);
        let wa = w.slice(0, 0, 1).reshape([1, 1]);
        let wt = w.slice(0, 1, 2).reshape([1, 1]);
        if (pa && pt) {
          wa = wa.mul(pa);
          wt = wt.mul(pt);
          const total = wa.add(wt).clamp(1e-12);
          wa = wa.div(total);
          wt = wt.div(total);
        }
        if (c.lateAverage === 'logits') return la.mul(wa).add(lt.mul(wt));
        return la.softmax(1).mul(wa).add(lt.softmax(1).mul(wt)).clamp(1e-12).log();
      }
      if (pa && pt) {
        a = a.mul(pa);
        t = t.mul(pt);
      }
      if (attention) {
        const h = nn.ops.stack([attention.audio.forward(a).tanh(), attention.text.forward(t).tanh()], 1);
        let scores = attention.score.forward(h).squeeze(2);
        let h2 = h;
        if (pa && pt) {
          const p = nn.ops.cat([pa, pt], 1);
          scores = scores.maskedFill(p.le(0), -1e9);
          h2 = h.mul(p.unsqueeze(2));
        }
        const alpha = scores.softmax(1);
        return head!(alpha.unsqueeze(1).matmul(h2).squeeze(1), c.dropout);
      }
      return head!(nn.ops.cat([a, t], 1), c.dropout);
    };
  },
  onnx(g, c, w, inputs) {
    let a = L.reluStack(g, w, inputs.audio, 'audio', c.audioHidden.length);
    const text =
      c.textInput === 'tokens' ? L.embeddingMeanPool(g, w, inputs.tokens, 'text.embedding') : inputs.text;
    let t = g.node('Relu', [L.linear(g, w, text, 'text.proj')]);
    const pa = c.presence ? presenceColumn(g, inputs.presence, 0) : null;
    const pt = c.presence ? presenceColumn(g, inputs.presence, 1) : null;
    if (c.fusion === 'late') {
      const la = L.linear(g, w, a, 'audioHead');
      const lt = L.linear(g, w, t, 'textHead');
      const [wa0, wt0] = lateFusionWeights(c, w);
      let wa = g.scalar('late_wa', wa0);
      let wt = g.scalar('late_wt', wt0);
      if (pa && pt) {
        wa = g.node('Mul', [wa, pa]);
        wt = g.node('Mul', [wt, pt]);
        const total = g.node('Max', [g.node('Add', [wa, wt]), g.scalar('tiny', 1e-12)]);
        wa = g.node('Div', [wa, total]);
        wt = g.node('Div', [wt, total]);
      }
      if (c.lateAverage === 'logits')
        return g.node('Add', [g.node('Mul', [la, wa]), g.node('Mul', [lt, wt])]);
      const mix = g.node('Add', [
        g.node('Mul', [g.node('Softmax', [la], { axis: 1 }), wa]),
        g.node('Mul', [g.node('Softmax', [lt], { axis: 1 }), wt]),
      ]);
      return g.node('Log', [g.node('Max', [mix, g.scalar('tiny', 1e-12)])]);
    }
    if (pa && pt) {
      a = g.node('Mul', [a, pa]);
      t = g.node('Mul', [t, pt]);
    }
    if (c.fusion === 'attention') {
      const ha = g.node('Unsqueeze', [g.node('Tanh', [L.linear(g, w, a, 'audioProj')]), g.ints('axes', [1])]);
      const ht = g.node('Unsqueeze', [g.node('Tanh', [L.linear(g, w, t, 'textProj')]), g.ints('axes', [1])]);
      let h = g.node('Concat', [ha, ht], { axis: 1 });
      let scores = g.node('Squeeze', [L.linearNd(g, w, h, 'attention.score'), g.ints('axes', [2])]);
      if (pa && pt) {
        const p = g.node('Concat', [pa, pt], { axis: 1 });
        const present = g.node('Greater', [p, g.scalar('zero_f', 0)]);
        scores = g.node('Where', [present, scores, g.scalar('mask_fill', L.MASK_FILL)]);
        h = g.node('Mul', [h, g.node('Unsqueeze', [p, g.ints('axes', [2])])]);
      }
      const alpha = g.node('Unsqueeze', [g.node('Softmax', [scores], { axis: 1 }), g.ints('axes', [1])]);
      const fused = g.node('Squeeze', [g.node('MatMul', [alpha, h]), g.ints('axes', [1])]);
      return L.classifierHead(g, w, fused);
    }
    return L.classifierHead(g, w, g.node('Concat', [a, t], { axis: 1 }));
  },
};
