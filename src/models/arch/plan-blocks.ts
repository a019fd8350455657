// Weight-plan rows of the layers the kinds compose (names, shapes, PyTorch default init), written
// once. Engine-free.
import type { InitSpec, LayerPlan, ParamSpec } from './kind.js';

/** Name of the dynamic batch axis in plans and graph inputs. */
export const B = 'batch';

/** torch.nn.Linear(inDim, outDim): `weight` [out, in], `bias` [out], both U(±1/√inDim). */
export function linearPlan(name: string, inDim: number, outDim: number, bias = true): LayerPlan {
  const bound = 1 / Math.sqrt(inDim);
  const params: ParamSpec[] = [
    { name: `${name}.weight`, shape: [outDim, inDim], init: { kind: 'uniform', bound }, trainable: true },
  ];
  if (bias)
    params.push({ name: `${name}.bias`, shape: [outDim], init: { kind: 'uniform', bound }, trainable: true });
  return { name, type: `Linear(${inDim}→${outDim})`, outputShape: [B, outDim], params };
}

/** Conv1d / Conv2d (by kernel rank): `weight` [out, in, ...kernel], `bias` [out], U(±1/√fan_in). */
export function convPlan(
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

/** BatchNorm1d/2d (by output rank): γ=1, β=0 trainable; running mean 0 and variance 1 buffers. */
export function batchNormPlan(
  name: string,
  channels: number,
  outputShape: Array<number | string>,
): LayerPlan {
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

/** A parameter-free row (activation, pooling, dropout, concatenation) for the summary. */
export function noParams(name: string, type: string, outputShape: Array<number | string>): LayerPlan {
  return { name, type, outputShape, params: [] };
}

/**
 * `prefix.i` Linear + ReLU (+ Dropout) rows for each width of `widths` from `inDim` (the MLP and
 * the fusion audio branch).
 * @returns the rows and the output width.
 */
export function reluStackPlan(
  prefix: string,
  inDim: number,
  widths: number[],
  dropout: number,
): { rows: LayerPlan[]; width: number } {
  const rows: LayerPlan[] = [];
  let width = inDim;
  widths.forEach((h, i) => {
    rows.push(linearPlan(`${prefix}.${i}`, width, h));
    rows.push(noParams(`${prefix}.${i}.relu`, dropout > 0 ? `ReLU + Dropout(${dropout})` : 'ReLU', [B, h]));
    width = h;
  });
  return { rows, width };
}

/**
 * Conv1d(kernel, same) + BN + ReLU + MaxPool(pool) (+ Dropout) blocks over a [batch, 1, length]
 * signal, then global average pooling: `${prefix}convs.i`, `${prefix}bns.i`.
 */
export function conv1dBranchPlan(
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
    rows.push(convPlan(`${prefix}convs.${i}`, inCh, ch, [kernel], [B, ch, len]));
    rows.push(batchNormPlan(`${prefix}bns.${i}`, ch, [B, ch, len]));
    len = Math.floor(len / pool);
    rows.push(noParams(`${prefix}pool.${i}`, `ReLU + MaxPool1d(${pool})`, [B, ch, len]));
    if (dropout > 0) rows.push(noParams(`${prefix}dropout.${i}`, `Dropout(${dropout})`, [B, ch, len]));
    inCh = ch;
  });
  rows.push(noParams(`${prefix}gap`, 'GlobalAvgPool1d', [B, inCh]));
  return rows;
}

/**
 * Conv2d(3x3, same) + BN + ReLU + MaxPool(2) blocks over a [batch, c, h, w] image, then global
 * average pooling: `${prefix}convs.i`, `${prefix}bns.i`.
 */
export function conv2dBranchPlan(
  prefix: string,
  shape: [number, number, number],
  channels: number[],
): LayerPlan[] {
  const rows: LayerPlan[] = [];
  let [inCh, h, w] = shape;
  channels.forEach((ch, i) => {
    rows.push(convPlan(`${prefix}convs.${i}`, inCh, ch, [3, 3], [B, ch, h, w]));
    rows.push(batchNormPlan(`${prefix}bns.${i}`, ch, [B, ch, h, w]));
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
    rows.push(noParams(`${prefix}pool.${i}`, 'ReLU + MaxPool2d(2)', [B, ch, h, w]));
    inCh = ch;
  });
  rows.push(noParams(`${prefix}gap`, 'GlobalAvgPool2d', [B, inCh]));
  return rows;
}

/**
 * torch.nn.LSTM(batch_first, bidirectional) parameters `name.weight_ih_l0`, `..._reverse`, all
 * U(±1/√hidden); layers after the first take 2 * hidden inputs.
 */
export function biLstmParams(name: string, inputDim: number, hidden: number, layers: number): ParamSpec[] {
  const bound = 1 / Math.sqrt(hidden);
  const init: InitSpec = { kind: 'uniform', bound };
  const params: ParamSpec[] = [];
  for (let l = 0; l < layers; l++) {
    const inDim = l === 0 ? inputDim : 2 * hidden;
    for (const suffix of ['', '_reverse']) {
      params.push({
        name: `${name}.weight_ih_l${l}${suffix}`,
        shape: [4 * hidden, inDim],
        init,
        trainable: true,
      });
      params.push({
        name: `${name}.weight_hh_l${l}${suffix}`,
        shape: [4 * hidden, hidden],
        init,
        trainable: true,
      });
      params.push({ name: `${name}.bias_ih_l${l}${suffix}`, shape: [4 * hidden], init, trainable: true });
      params.push({ name: `${name}.bias_hh_l${l}${suffix}`, shape: [4 * hidden], init, trainable: true });
    }
  }
  return params;
}

/**
 * The classifier head shared by the kinds: `dense` Linear + ReLU (+ Dropout when `dropout` > 0)
 * and the `head` Linear to the classes.
 */
export function classifierHeadPlan(
  inDim: number,
  c: { dense: number; dropout: number; classes: number },
): LayerPlan[] {
  const rows = [linearPlan('dense', inDim, c.dense), noParams('dense.relu', 'ReLU', [B, c.dense])];
  if (c.dropout > 0) rows.push(noParams('dense.dropout', `Dropout(${c.dropout})`, [B, c.dense]));
  rows.push(linearPlan('head', c.dense, c.classes));
  return rows;
}
