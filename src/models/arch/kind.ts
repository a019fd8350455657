// The contract one model kind fulfils. Engine-free: the engine appears here only in type imports,
// which vanish at run time, so ONNX export and inference can load every kind without libtorch.
import type { Tensor } from '../../engine/index.js';
import type { Nn } from '../layers/nn.js';
import type { OnnxGraphBuilder } from '../onnx/graph.js';
import type { WeightMap } from '../weights.js';
import type { Module } from '../layers/module.js';
import type { ModelInputs } from '../zoo.js';

/** A configuration with every default filled in. */
export type Resolved<T> = Required<T>;

/** What every model configuration holds: its `kind` and the number of output classes. */
export interface KindConfig {
  kind: string;
  /** Number of output classes. */
  classes: number;
}

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

/** A kind's forward pass: logits [batch, classes] from the named inputs of {@link ModelKind.inputs}. */
export type Forward = (inputs: ModelInputs) => Tensor;

/**
 * The model a kind's `build` fills (a `KindModel` made by `buildModel`): where layers are
 * registered, and what the forward pass reads.
 */
export interface ModelHost {
  /** Registers `module` under `name` (its state_dict prefix, e.g. `head`); returns it. */
  layer<M extends Module>(name: string, module: M): M;
  /**
   * The input called `name`.
   * @throws EmovoxInputError('<kind> model', problem) when it is missing.
   */
  input(inputs: ModelInputs, name: string): Tensor;
  /** True in training mode (Dropout active, BatchNorm on batch statistics). */
  readonly training: boolean;
}

/** Options a kind's ONNX emitter receives from `exportOnnx`. */
export interface OnnxKindOptions {
  /** Fold each BatchNorm into the preceding convolution (else BatchNormalization nodes). */
  foldBatchNorm: boolean;
}

/**
 * One model architecture, in the spirit of a tfjs-layers layer: it owns its configuration
 * (defaults and validation), its weight plan, its graph inputs, its forward pass over the libtorch
 * engine and its ONNX graph. Each kind is one module under `src/models/arch/`, listed by one line
 * in `registry.ts`; `resolveConfig`, `planModel`, `modelInputs`, `buildModel` and `exportOnnx`
 * dispatch to it by `kind`. Methods (not arrow properties) so that a `ModelKind<MlpConfig>` is
 * usable where any kind is expected.
 * @typeParam C - the kind's configuration (optional fields are defaults).
 */
export interface ModelKind<C extends KindConfig> {
  /** The `kind` string of its configurations, e.g. `'mlp'`. */
  readonly kind: C['kind'];
  /**
   * Validates a configuration object (e.g. parsed JSON, `kind` already checked) and fills every
   * default. Throws `EmovoxInputError('model config', problem)` for bad fields.
   */
  resolve(raw: Record<string, unknown>): Resolved<C>;
  /**
   * The layers in forward order with output shapes and parameters (PyTorch state_dict names,
   * shapes, default initialisation): the single source for summary, parameter counts,
   * `initWeights`, weight checks and bundles.
   */
  plan(c: Resolved<C>): LayerPlan[];
  /** Graph inputs (names, element types, shapes with dynamic axes), in ONNX input order. */
  inputs(c: Resolved<C>): ModelInput[];
  /**
   * Creates the engine layers on `model` (`model.layer(name, module)` registers each under its
   * state_dict prefix, in plan order) from the engine-backed toolbox `nn`, and returns the
   * forward pass. Called by `buildModel` only, so a kind module never imports the engine at run
   * time.
   */
  build(c: Resolved<C>, model: ModelHost, nn: Nn): Forward;
  /**
   * Appends the inference graph to `g`, reading weights by their plan names; `inputs` maps each
   * input name of {@link ModelKind.inputs} to its graph value. Returns the logits value
   * [batch, classes]; `exportOnnx` adds the outputs (logits, softmax) and metadata.
   */
  onnx(
    g: OnnxGraphBuilder,
    c: Resolved<C>,
    weights: WeightMap,
    inputs: Record<string, string>,
    options: OnnxKindOptions,
  ): string;
}

/** The configuration type a {@link ModelKind} describes. */
export type ConfigOf<K> = K extends ModelKind<infer C> ? C : never;
