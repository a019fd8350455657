// Shared pieces of the image backbones (resnet, vgg16, efficientnetB0): output sizes, weight-plan
// rows in torchvision's naming and initialisation, and the checks of their extra configuration
// fields (pretrained weights, frozen parameters). Engine-free.
import { CONFIG_SOURCE, configError } from './checks.js';
import type { InitSpec, LayerPlan, ParamSpec } from './kind.js';
import { B, batchNormPlan } from './plan-blocks.js';
import { EmovoxInputError } from '../../util/errors.js';

/** Output size of a convolution or pooling window: floor((size + 2·padding − kernel) / stride) + 1. */
export function convOut(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/** Options of {@link conv2dPlan}. */
export interface Conv2dPlanOptions {
  stride?: number;
  padding?: number;
  groups?: number;
  bias?: boolean;
  /** How the weight starts (default PyTorch's U(±1/√fan_in)). */
  init?: InitSpec;
  /** How the bias starts (default PyTorch's U(±1/√fan_in)). */
  biasInit?: InitSpec;
}

/**
 * A torch.nn.Conv2d row: `weight` [out, in/groups, k, k] (+ `bias` [out]); output shape from
 * `h` x `w` by {@link convOut}.
 * @returns the row and the output height and width.
 */
export function conv2dPlan(
  name: string,
  inCh: number,
  outCh: number,
  kernel: number,
  h: number,
  w: number,
  o: Conv2dPlanOptions = {},
): { row: LayerPlan; h: number; w: number } {
  const stride = o.stride ?? 1;
  const padding = o.padding ?? (kernel - 1) / 2;
  const groups = o.groups ?? 1;
  const fanIn = (inCh / groups) * kernel * kernel;
  const bound = 1 / Math.sqrt(fanIn);
  const params: ParamSpec[] = [
    {
      name: `${name}.weight`,
      shape: [outCh, inCh / groups, kernel, kernel],
      init: o.init ?? { kind: 'uniform', bound },
      trainable: true,
    },
  ];
  if (o.bias ?? true)
    params.push({
      name: `${name}.bias`,
      shape: [outCh],
      init: o.biasInit ?? { kind: 'uniform', bound },
      trainable: true,
    });
  const oh = convOut(h, kernel, stride, padding);
  const ow = convOut(w, kernel, stride, padding);
  const extra = [stride > 1 ? `s=${stride}` : '', groups > 1 ? `g=${groups}` : ''].filter(Boolean);
  const type = `Conv2d(${inCh}→${outCh}, k=${kernel}x${kernel}${extra.length ? `, ${extra.join(', ')}` : ''})`;
  return { row: { name, type, outputShape: [B, outCh, oh, ow], params }, h: oh, w: ow };
}

/**
 * torchvision's convolution initialisation: N(0, 2 / fan_out) (kaiming_normal_, mode fan_out, ReLU
 * gain), fan_out = out channels · kernel² as torch computes it (also for grouped convolutions).
 */
export function kaimingFanOut(outCh: number, kernel: number): InitSpec {
  return { kind: 'normal', std: Math.SQRT2 / Math.sqrt(outCh * kernel * kernel) };
}

/** A BatchNorm2d row (γ 1, β 0, running mean 0, variance 1). */
export function bn2dPlan(name: string, channels: number, h: number, w: number): LayerPlan {
  return batchNormPlan(name, channels, [B, channels, h, w]);
}

/**
 * `pretrained`: null, or the path of a torchvision-format `state_dict` in safetensors format that
 * `buildModel` loads (see `loadPretrainedWeights`).
 */
export function pretrainedField(raw: Record<string, unknown>): string | null {
  const v = raw.pretrained ?? null;
  if (v !== null && (typeof v !== 'string' || v === ''))
    configError(`pretrained must be a file path or null, got ${JSON.stringify(v)}`);
  return v;
}

/** `freeze`: a list of parameter-name patterns (`*` matches any run of characters), default []. */
export function freezeField(raw: Record<string, unknown>): string[] {
  const v = raw.freeze ?? [];
  if (!Array.isArray(v) || v.some((p) => typeof p !== 'string' || p === ''))
    throw new EmovoxInputError(CONFIG_SOURCE, 'freeze must be a list of parameter-name patterns');
  return [...(v as string[])];
}

/** A regular expression for one freeze pattern: `*` matches any run of characters, the rest literally. */
export function freezePattern(pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * Throws unless every freeze pattern matches at least one trainable parameter of `plan` (a typo
 * would otherwise silently train everything).
 */
export function checkFreeze(patterns: readonly string[], plan: readonly LayerPlan[]): void {
  const names = plan.flatMap((r) => r.params.filter((p) => p.trainable).map((p) => p.name));
  for (const pattern of patterns) {
    const re = freezePattern(pattern);
    if (!names.some((n) => re.test(n)))
      configError(`freeze pattern ${JSON.stringify(pattern)} matches no parameter`);
  }
}

/** `dropout`-like probability field with its own default. */
export function rate(raw: Record<string, unknown>, field: string, fallback: number): number {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'number' || !(v >= 0 && v < 1))
    configError(`${field} must be a number in [0, 1), got ${JSON.stringify(v)}`);
  return v;
}

/** Marks every parameter matching a freeze pattern as not trainable (summary counts follow). */
export function applyFreeze(plan: LayerPlan[], patterns: readonly string[]): LayerPlan[] {
  if (patterns.length === 0) return plan;
  const res = patterns.map(freezePattern);
  return plan.map((row) => ({
    ...row,
    params: row.params.map((p) =>
      p.trainable && res.some((re) => re.test(p.name)) ? { ...p, trainable: false } : p,
    ),
  }));
}
