import { resolveConfig, type ModelConfig, type Resolved } from './config.js';

/** How a parameter starts: PyTorch's default initialisation for its layer type. */
export type InitSpec =
  | { kind: 'uniform'; bound: number }
  | { kind: 'normal'; std: number; zeroRow?: number }
  | { kind: 'const'; value: number };

/** One named parameter or buffer of a model, in PyTorch state_dict naming. */
export interface ParamSpec {
  /** Dotted name, e.g. `convs.0.weight`, `lstm.weight_ih_l0_reverse`. */
  name: string;
  shape: number[];
  init: InitSpec;
  /** False for buffers (BatchNorm running statistics). */
  trainable: boolean;
}

/** One layer of a model as listed by the summary. */
export interface LayerPlan {
  /** Layer path, e.g. `convs.0`. */
  name: string;
  /** Layer type, e.g. `Conv1d(1→128, k=5)`. */
  type: string;
  /** Output shape; strings are dynamic axes ('batch', 'frames'). */
  outputShape: Array<number | string>;
  params: ParamSpec[];
}

/** Graph inputs of a model: name, element type and shape (strings are dynamic axes). */
export interface ModelInput {
  name: string;
  elem: 'float32' | 'int32' | 'int64';
  shape: Array<number | string>;
}

const B = 'batch';

function linear(name: string, inDim: number, outDim: number, bias = true): LayerPlan {
  const bound = 1 / Math.sqrt(inDim);
  const params: ParamSpec[] = [
    { name: `${name}.weight`, shape: [outDim, inDim], init: { kind: 'uniform', bound }, trainable: true },
  ];
  if (bias)
    params.push({ name: `${name}.bias`, shape: [outDim], init: { kind: 'uniform', bound }, trainable: true });
  return { name, type: `Linear(${inDim}→${outDim})`, outputShape: [B, outDim], params };
}

function conv(
  name: string,
  inCh: number,
  outCh: number,
  kernel: number[],
  outputShape: Array<number | string>,
): LayerPlan {
  const fanIn = inCh * kernel.reduce((a, b) => a * b, 1);
  const bound = 1 / Math.sqrt(fanIn);
  const dims = kernel.length === 1 ? '1d' : '2d';
  return {
    name,
    type: `Conv${dims}(${inCh}→${outCh}, k=${kernel.join('x')})`,
    outputShape,
    params: [
      {
        name: `${name}.weight`,
        shape: [outCh, inCh, ...kernel],
        init: { kind: 'uniform', bound },
        trainable: true,
      },
      { name: `${name}.bias`, shape: [outCh], init: { kind: 'uniform', bound }, trainable: true },
    ],
  };
}

function batchNorm(name: string, channels: number, outputShape: Array<number | string>): LayerPlan {
  const dims = outputShape.length === 3 ? '1d' : '2d';
  return {
    name,
    type: `BatchNorm${dims}(${channels})`,
    outputShape,
    params: [
      { name: `${name}.weight`, shape: [channels], init: { kind: 'const', value: 1 }, trainable: true },
      { name: `${name}.bias`, shape: [channels], init: { kind: 'const', value: 0 }, trainable: true },
      {
        name: `${name}.running_mean`,
        shape: [channels],
        init: { kind: 'const', value: 0 },
        trainable: false,
      },
      { name: `${name}.running_var`, shape: [channels], init: { kind: 'const', value: 1 }, trainable: false },
    ],
  };
}

function noParams(name: string, type: string, outputShape: Array<number | string>): LayerPlan {
  return { name, type, outputShape, params: [] };
}

/** Conv1d + BN + ReLU + MaxPool (+ Dropout) blocks over a [batch, 1, length] signal. */
function conv1dBlocks(
  prefix: string,
  length: number,
  channels: number[],
  kernel: number,
  pool: number,
  dropout: number,
): LayerPlan[] {
  const rows: LayerPlan[] = [];
  let inCh = 1;
  let len = length;
  channels.forEach((ch, i) => {
    rows.push(conv(`${prefix}convs.${i}`, inCh, ch, [kernel], [B, ch, len]));
    rows.push(batchNorm(`${prefix}bns.${i}`, ch, [B, ch, len]));
    len = Math.floor(len / pool);
    rows.push(noParams(`${prefix}pool.${i}`, `ReLU + MaxPool1d(${pool})`, [B, ch, len]));
    if (dropout > 0) rows.push(noParams(`${prefix}dropout.${i}`, `Dropout(${dropout})`, [B, ch, len]));
    inCh = ch;
  });
  rows.push(noParams(`${prefix}gap`, 'GlobalAvgPool1d', [B, inCh]));
  return rows;
}

/** Conv2d(3x3, same) + BN + ReLU + MaxPool(2) blocks over a [batch, c, h, w] image. */
function conv2dBlocks(prefix: string, shape: [number, number, number], channels: number[]): LayerPlan[] {
  const rows: LayerPlan[] = [];
  let [inCh, h, w] = shape;
  channels.forEach((ch, i) => {
    rows.push(conv(`${prefix}convs.${i}`, inCh, ch, [3, 3], [B, ch, h, w]));
    rows.push(batchNorm(`${prefix}bns.${i}`, ch, [B, ch, h, w]));
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
    rows.push(noParams(`${prefix}pool.${i}`, 'ReLU + MaxPool2d(2)', [B, ch, h, w]));
    inCh = ch;
  });
  rows.push(noParams(`${prefix}gap`, 'GlobalAvgPool2d', [B, inCh]));
  return rows;
}

function lstmParams(inputDim: number, hidden: number, layers: number): ParamSpec[] {
  const bound = 1 / Math.sqrt(hidden);
  const init: InitSpec = { kind: 'uniform', bound };
  const params: ParamSpec[] = [];
  for (let l = 0; l < layers; l++) {
    const inDim = l === 0 ? inputDim : 2 * hidden;
    for (const suffix of ['', '_reverse']) {
      params.push({
        name: `lstm.weight_ih_l${l}${suffix}`,
        shape: [4 * hidden, inDim],
        init,
        trainable: true,
      });
      params.push({
        name: `lstm.weight_hh_l${l}${suffix}`,
        shape: [4 * hidden, hidden],
        init,
        trainable: true,
      });
      params.push({ name: `lstm.bias_ih_l${l}${suffix}`, shape: [4 * hidden], init, trainable: true });
      params.push({ name: `lstm.bias_hh_l${l}${suffix}`, shape: [4 * hidden], init, trainable: true });
    }
  }
  return params;
}

function head(inDim: number, c: { dense: number; dropout: number; classes: number }): LayerPlan[] {
  const rows = [linear('dense', inDim, c.dense), noParams('dense.relu', 'ReLU', [B, c.dense])];
  if (c.dropout > 0) rows.push(noParams('dense.dropout', `Dropout(${c.dropout})`, [B, c.dense]));
  rows.push(linear('head', c.dense, c.classes));
  return rows;
}

/**
 * Lists the layers of a model, in forward order, with their output shapes and parameters.
 * This is the single source of parameter names and shapes for training, saving and ONNX export.
 * @param config - model configuration (defaults are filled in).
 */
export function planModel(config: ModelConfig | Resolved<ModelConfig>): LayerPlan[] {
  const c = resolveConfig(config);
  switch (c.kind) {
    case 'mlp': {
      const rows: LayerPlan[] = [];
      let inDim = c.inputDim;
      c.hidden.forEach((h, i) => {
        rows.push(linear(`hidden.${i}`, inDim, h));
        rows.push(
          noParams(`hidden.${i}.relu`, c.dropout > 0 ? `ReLU + Dropout(${c.dropout})` : 'ReLU', [B, h]),
        );
        inDim = h;
      });
      rows.push(linear('head', inDim, c.classes));
      return rows;
    }
    case 'cnn1d': {
      const rows = conv1dBlocks('', c.inputDim, c.channels, c.kernel, c.pool, c.dropout);
      const last = c.channels[c.channels.length - 1];
      rows.push(linear('dense', last, c.dense), noParams('dense.relu', 'ReLU', [B, c.dense]));
      rows.push(linear('head', c.dense, c.classes));
      return rows;
    }
    case 'cnn2d': {
      const rows = conv2dBlocks('', c.inputShape, c.channels);
      return [...rows, ...head(c.channels[c.channels.length - 1], c)];
    }
    case 'hybrid': {
      const rows = [
        ...conv1dBlocks('vector.', c.vectorDim, c.vectorChannels, 5, 2, 0),
        ...conv2dBlocks('image.', c.imageShape, c.imageChannels),
      ];
      const fused =
        c.vectorChannels[c.vectorChannels.length - 1] + c.imageChannels[c.imageChannels.length - 1];
      rows.push(noParams('concat', 'Concat', [B, fused]));
      return [...rows, ...head(fused, c)];
    }
    case 'bilstmAttention': {
      const width = 2 * c.hidden;
      const rows: LayerPlan[] = [
        {
          name: 'lstm',
          type: `BiLSTM(${c.inputDim}→${c.hidden}x2, layers=${c.layers})`,
          outputShape: [B, 'frames', width],
          params: lstmParams(c.inputDim, c.hidden, c.layers),
        },
      ];
      if (c.attention === 'additive') {
        const proj = linear('attention.proj', width, c.attentionDim);
        const score = linear('attention.score', c.attentionDim, 1, false);
        rows.push({
          name: 'attention',
          type: `AdditiveAttentionPool(${c.attentionDim})`,
          outputShape: [B, width],
          params: [...proj.params, ...score.params],
        });
      } else if (c.attention === 'temporal') {
        const score = linear('attention.score', width, 1);
        rows.push({
          name: 'attention',
          type: 'TemporalAttentionPool',
          outputShape: [B, width],
          params: score.params,
        });
      } else {
        const xavier = Math.sqrt(6 / (width + 3 * width));
        rows.push({
          name: 'attention',
          type: `MHSelfAttention(${c.heads} heads)+MeanPool`,
          outputShape: [B, width],
          params: [
            {
              name: 'attention.in_proj_weight',
              shape: [3 * width, width],
              init: { kind: 'uniform', bound: xavier },
              trainable: true,
            },
            {
              name: 'attention.in_proj_bias',
              shape: [3 * width],
              init: { kind: 'const', value: 0 },
              trainable: true,
            },
            {
              name: 'attention.out_proj.weight',
              shape: [width, width],
              init: { kind: 'uniform', bound: 1 / Math.sqrt(width) },
              trainable: true,
            },
            {
              name: 'attention.out_proj.bias',
              shape: [width],
              init: { kind: 'const', value: 0 },
              trainable: true,
            },
          ],
        });
      }
      const fused = width + c.extraDim;
      if (c.extraDim > 0) rows.push(noParams('concat', `Concat(extra ${c.extraDim})`, [B, fused]));
      return [...rows, ...head(fused, c)];
    }
    case 'fusion': {
      const rows: LayerPlan[] = [];
      let inDim = c.audioDim;
      c.audioHidden.forEach((h, i) => {
        rows.push(linear(`audio.${i}`, inDim, h));
        rows.push(
          noParams(`audio.${i}.relu`, c.dropout > 0 ? `ReLU + Dropout(${c.dropout})` : 'ReLU', [B, h]),
        );
        inDim = h;
      });
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
      rows.push(linear('text.proj', textIn, c.textHidden), noParams('text.relu', 'ReLU', [B, c.textHidden]));
      const fused = inDim + c.textHidden;
      rows.push(noParams('concat', 'Concat', [B, fused]));
      return [...rows, ...head(fused, c)];
    }
  }
}

/** Every parameter and buffer of a model, in a stable order. */
export function parameterSpecs(config: ModelConfig | Resolved<ModelConfig>): ParamSpec[] {
  return planModel(config).flatMap((row) => row.params);
}

/**
 * The graph inputs of a model: `features` / `spectrogram` / `frames` + `lengths` (+ `extra`) /
 * `audio` + `text` or `tokens`. Batch (and frames / tokens length) are dynamic axes.
 */
export function modelInputs(config: ModelConfig | Resolved<ModelConfig>): ModelInput[] {
  const c = resolveConfig(config);
  switch (c.kind) {
    case 'mlp':
    case 'cnn1d':
      return [{ name: 'features', elem: 'float32', shape: [B, c.inputDim] }];
    case 'cnn2d':
      return [{ name: 'spectrogram', elem: 'float32', shape: [B, ...c.inputShape] }];
    case 'hybrid':
      return [
        { name: 'features', elem: 'float32', shape: [B, c.vectorDim] },
        { name: 'spectrogram', elem: 'float32', shape: [B, ...c.imageShape] },
      ];
    case 'bilstmAttention': {
      const inputs: ModelInput[] = [
        { name: 'frames', elem: 'float32', shape: [B, 'frames', c.inputDim] },
        { name: 'lengths', elem: 'int32', shape: [B] },
      ];
      if (c.extraDim > 0) inputs.push({ name: 'extra', elem: 'float32', shape: [B, c.extraDim] });
      return inputs;
    }
    case 'fusion':
      return [
        { name: 'audio', elem: 'float32', shape: [B, c.audioDim] },
        c.textInput === 'tokens'
          ? { name: 'tokens', elem: 'int64', shape: [B, 'tokens'] }
          : { name: 'text', elem: 'float32', shape: [B, c.textDim] },
      ];
  }
}
