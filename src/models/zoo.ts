import { Tensor, ops } from '../engine/index.js';
import {
  resolveConfig,
  type BilstmAttentionConfig,
  type Cnn1dConfig,
  type Cnn2dConfig,
  type FusionConfig,
  type HybridConfig,
  type MlpConfig,
  type ModelConfig,
  type Resolved,
} from './config.js';
import { BatchNorm, Conv1d, Conv2d, Embedding, Linear } from './layers/basic.js';
import {
  AdditiveAttentionPool,
  MultiHeadAttention,
  TemporalAttentionPool,
  lengthMask,
  maskedMean,
} from './layers/attention.js';
import { Module } from './layers/module.js';
import { LSTM } from './layers/recurrent.js';
import { EmovoxInputError } from '../util/errors.js';
import type { WeightMap } from './weights.js';

/** Model inputs by name, as in {@link modelInputs}: `features`, `spectrogram`, `frames`, `lengths`, ... */
export type ModelInputs = Record<string, Tensor>;

/** A list of modules named `0`, `1`, ... (torch.nn.ModuleList). */
export class ModuleList<M extends Module> extends Module {
  readonly items: M[];
  constructor(items: M[]) {
    super();
    this.items = items.map((m, i) => this.child(String(i), m));
  }
}

/** Base of the model zoo: a Module with a config whose forward maps named inputs to logits. */
export abstract class EmotionModel extends Module {
  abstract readonly config: Resolved<ModelConfig>;
  /** Logits [batch, classes] from named inputs. */
  abstract forward(inputs: ModelInputs): Tensor;

  protected input(inputs: ModelInputs, name: string): Tensor {
    const t = inputs[name];
    if (!t) throw new EmovoxInputError(`${this.config.kind} model`, `missing input '${name}'`);
    return t;
  }
}

/** Conv + BN + ReLU + MaxPool (+ Dropout) blocks and global average pooling. */
class ConvBranch extends Module {
  readonly convs: ModuleList<Conv1d | Conv2d>;
  readonly bns: ModuleList<BatchNorm>;
  constructor(
    readonly dims: 1 | 2,
    inCh: number,
    channels: number[],
    kernel: number,
    readonly pool: number,
    readonly dropout: number,
  ) {
    super();
    const chans = [inCh, ...channels];
    this.convs = this.child(
      'convs',
      new ModuleList(
        channels.map((ch, i) =>
          dims === 1 ? new Conv1d(chans[i], ch, kernel) : new Conv2d(chans[i], ch, kernel),
        ),
      ),
    );
    this.bns = this.child('bns', new ModuleList(channels.map((ch) => new BatchNorm(ch))));
  }
  /** `training` is explicit because Cnn1d/Cnn2d adopt the lists without registering the branch. */
  run(x: Tensor, training: boolean): Tensor {
    let h = x;
    this.convs.items.forEach((conv, i) => {
      h = this.bns.items[i].forward(conv.forward(h)).relu();
      h = this.dims === 1 ? ops.maxPool1d(h, this.pool) : ops.maxPool2d(h, this.pool);
      if (this.dropout > 0 && training) h = ops.dropout(h, this.dropout, true);
    });
    return h.mean(this.dims === 1 ? [2] : [2, 3]);
  }
}

/** Dense + ReLU (+ Dropout) + Linear head shared by the models. */
function classify(m: { dense: Linear; head: Linear; training: boolean }, x: Tensor, dropout: number): Tensor {
  let h = m.dense.forward(x).relu();
  if (dropout > 0 && m.training) h = ops.dropout(h, dropout, true);
  return m.head.forward(h);
}

/** {@link MlpConfig} model. Input `features` [batch, inputDim]. */
export class MlpModel extends EmotionModel {
  readonly config: Resolved<MlpConfig>;
  readonly hidden: ModuleList<Linear>;
  readonly head: Linear;
  constructor(config: MlpConfig) {
    super();
    const c = (this.config = resolveConfig(config) as Resolved<MlpConfig>);
    const dims = [c.inputDim, ...c.hidden];
    this.hidden = this.child('hidden', new ModuleList(c.hidden.map((h, i) => new Linear(dims[i], h))));
    this.head = this.child('head', new Linear(dims[dims.length - 1], c.classes));
  }
  forward(inputs: ModelInputs): Tensor {
    let x = this.input(inputs, 'features');
    for (const layer of this.hidden.items) {
      x = layer.forward(x).relu();
      if (this.config.dropout > 0 && this.training) x = ops.dropout(x, this.config.dropout, true);
    }
    return this.head.forward(x);
  }
}

/** {@link Cnn1dConfig} model. Input `features` [batch, inputDim]. */
export class Cnn1dModel extends EmotionModel {
  readonly config: Resolved<Cnn1dConfig>;
  private readonly branch: ConvBranch;
  readonly dense: Linear;
  readonly head: Linear;
  constructor(config: Cnn1dConfig) {
    super();
    const c = (this.config = resolveConfig(config) as Resolved<Cnn1dConfig>);
    this.branch = new ConvBranch(1, 1, c.channels, c.kernel, c.pool, c.dropout);
    this.child('convs', this.branch.convs);
    this.child('bns', this.branch.bns);
    this.dense = this.child('dense', new Linear(c.channels[c.channels.length - 1], c.dense));
    this.head = this.child('head', new Linear(c.dense, c.classes));
  }
  forward(inputs: ModelInputs): Tensor {
    const pooled = this.branch.run(this.input(inputs, 'features').unsqueeze(1), this.training);
    return classify(this, pooled, 0);
  }
}

/** {@link Cnn2dConfig} model. Input `spectrogram` [batch, c, h, w]. */
export class Cnn2dModel extends EmotionModel {
  readonly config: Resolved<Cnn2dConfig>;
  private readonly branch: ConvBranch;
  readonly dense: Linear;
  readonly head: Linear;
  constructor(config: Cnn2dConfig) {
    super();
    const c = (this.config = resolveConfig(config) as Resolved<Cnn2dConfig>);
    this.branch = new ConvBranch(2, c.inputShape[0], c.channels, 3, 2, 0);
    this.child('convs', this.branch.convs);
    this.child('bns', this.branch.bns);
    this.dense = this.child('dense', new Linear(c.channels[c.channels.length - 1], c.dense));
    this.head = this.child('head', new Linear(c.dense, c.classes));
  }
  forward(inputs: ModelInputs): Tensor {
    return classify(
      this,
      this.branch.run(this.input(inputs, 'spectrogram'), this.training),
      this.config.dropout,
    );
  }
}

/** {@link HybridConfig} model. Inputs `features` [batch, vectorDim], `spectrogram` [batch, c, h, w]. */
export class HybridModel extends EmotionModel {
  readonly config: Resolved<HybridConfig>;
  readonly vector: ConvBranch;
  readonly image: ConvBranch;
  readonly dense: Linear;
  readonly head: Linear;
  constructor(config: HybridConfig) {
    super();
    const c = (this.config = resolveConfig(config) as Resolved<HybridConfig>);
    this.vector = this.child('vector', new ConvBranch(1, 1, c.vectorChannels, 5, 2, 0));
    this.image = this.child('image', new ConvBranch(2, c.imageShape[0], c.imageChannels, 3, 2, 0));
    const fused = c.vectorChannels[c.vectorChannels.length - 1] + c.imageChannels[c.imageChannels.length - 1];
    this.dense = this.child('dense', new Linear(fused, c.dense));
    this.head = this.child('head', new Linear(c.dense, c.classes));
  }
  forward(inputs: ModelInputs): Tensor {
    const v = this.vector.run(this.input(inputs, 'features').unsqueeze(1), this.training);
    const s = this.image.run(this.input(inputs, 'spectrogram'), this.training);
    return classify(this, ops.cat([v, s], 1), this.config.dropout);
  }
}

/**
 * {@link BilstmAttentionConfig} model. Inputs `frames` [batch, frames, inputDim], optional
 * `lengths` int32 [batch] (default: all frames valid), `extra` [batch, extraDim] when configured.
 */
export class BilstmAttentionModel extends EmotionModel {
  readonly config: Resolved<BilstmAttentionConfig>;
  readonly lstm: LSTM;
  readonly attention: AdditiveAttentionPool | TemporalAttentionPool | MultiHeadAttention;
  readonly dense: Linear;
  readonly head: Linear;
  constructor(config: BilstmAttentionConfig) {
    super();
    const c = (this.config = resolveConfig(config) as Resolved<BilstmAttentionConfig>);
    const width = 2 * c.hidden;
    this.lstm = this.child('lstm', new LSTM(c.inputDim, c.hidden, { layers: c.layers, bidirectional: true }));
    this.attention = this.child(
      'attention',
      c.attention === 'additive'
        ? new AdditiveAttentionPool(width, c.attentionDim)
        : c.attention === 'temporal'
          ? new TemporalAttentionPool(width)
          : new MultiHeadAttention(width, c.heads),
    );
    this.dense = this.child('dense', new Linear(width + c.extraDim, c.dense));
    this.head = this.child('head', new Linear(c.dense, c.classes));
  }
  forward(inputs: ModelInputs): Tensor {
    const x = this.input(inputs, 'frames');
    const [batch, frames] = x.shape;
    const lengths = inputs.lengths ?? ops.full([batch], frames, { dtype: 'int32' });
    const h = this.lstm.forward(x, lengths);
    const mask = lengthMask(lengths, frames);
    const pooled =
      this.attention instanceof MultiHeadAttention
        ? maskedMean(this.attention.forward(h, mask), mask)
        : this.attention.forward(h, mask);
    const fused = this.config.extraDim > 0 ? ops.cat([pooled, this.input(inputs, 'extra')], 1) : pooled;
    return classify(this, fused, this.config.dropout);
  }
}

/** Text branch of {@link FusionModel}: precomputed embedding or token ids → projection. */
class TextBranch extends Module {
  readonly embedding: Embedding | null;
  readonly proj: Linear;
  constructor(c: Resolved<FusionConfig>) {
    super();
    this.embedding =
      c.textInput === 'tokens' ? this.child('embedding', new Embedding(c.vocabSize, c.embedDim, 0)) : null;
    this.proj = this.child('proj', new Linear(this.embedding ? c.embedDim : c.textDim, c.textHidden));
  }
  run(text: Tensor): Tensor {
    const x = this.embedding ? maskedMean(this.embedding.forward(text), text.ne(0)) : text;
    return this.proj.forward(x).relu();
  }
}

/** {@link FusionConfig} model. Inputs `audio` [batch, audioDim] and `text` [batch, textDim] or `tokens` int64 [batch, length]. */
export class FusionModel extends EmotionModel {
  readonly config: Resolved<FusionConfig>;
  readonly audio: ModuleList<Linear>;
  readonly text: TextBranch;
  readonly dense: Linear;
  readonly head: Linear;
  constructor(config: FusionConfig) {
    super();
    const c = (this.config = resolveConfig(config) as Resolved<FusionConfig>);
    const dims = [c.audioDim, ...c.audioHidden];
    this.audio = this.child('audio', new ModuleList(c.audioHidden.map((h, i) => new Linear(dims[i], h))));
    this.text = this.child('text', new TextBranch(c));
    this.dense = this.child('dense', new Linear(dims[dims.length - 1] + c.textHidden, c.dense));
    this.head = this.child('head', new Linear(c.dense, c.classes));
  }
  forward(inputs: ModelInputs): Tensor {
    let a = this.input(inputs, 'audio');
    for (const layer of this.audio.items) {
      a = layer.forward(a).relu();
      if (this.config.dropout > 0 && this.training) a = ops.dropout(a, this.config.dropout, true);
    }
    const t = this.text.run(this.input(inputs, this.config.textInput === 'tokens' ? 'tokens' : 'text'));
    return classify(this, ops.cat([a, t], 1), this.config.dropout);
  }
}

/**
 * Builds a model from a configuration (e.g. parsed JSON), with PyTorch default initialisation
 * or the given weights.
 * @param config - any {@link ModelConfig}; defaults are filled in.
 * @param weights - optional weights to load (e.g. from {@link loadBundle}).
 * @throws EmovoxInputError for an invalid config or mismatched weights.
 */
export function buildModel(config: ModelConfig, weights?: WeightMap): EmotionModel {
  const c = resolveConfig(config);
  let model: EmotionModel;
  switch (c.kind) {
    case 'mlp':
      model = new MlpModel(c);
      break;
    case 'cnn1d':
      model = new Cnn1dModel(c);
      break;
    case 'cnn2d':
      model = new Cnn2dModel(c);
      break;
    case 'hybrid':
      model = new HybridModel(c);
      break;
    case 'bilstmAttention':
      model = new BilstmAttentionModel(c);
      break;
    case 'fusion':
      model = new FusionModel(c);
      break;
  }
  if (weights) model.loadStateDict(weights);
  return model;
}
