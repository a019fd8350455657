// The engine-backed toolbox handed to each model kind's `build` by `buildModel`. Kind modules
// import only its type, so they load without libtorch; this module loads the engine.
import { ops } from '../../engine/index.js';
import {
  Activation,
  AdaptiveAvgPool,
  AvgPool,
  BatchNorm,
  Conv1d,
  Conv2d,
  Dropout,
  Embedding,
  LayerNorm,
  Linear,
  MaxPool,
  ParameterVector,
} from './basic.js';
import { GRU, LSTM } from './recurrent.js';
import {
  AdditiveAttentionPool,
  MultiHeadAttention,
  TemporalAttentionPool,
  lengthMask,
  maskedMean,
} from './attention.js';
import { ConvBranch, ModuleDict, ModuleList, classifierHead, reluStack } from './blocks.js';
import { ModuleNode, ModuleTree, initLayer, initTensor } from './tree.js';
import { TransformerEncoderLayer, WindowConv1d, maskedMaxOverTime } from './text.js';

/**
 * Everything a kind's forward is built from: the engine's tensor `ops`, the layers (PyTorch
 * semantics and default initialisation), attention helpers and the shared blocks.
 */
export const nn = {
  ops,
  Linear,
  Conv1d,
  Conv2d,
  BatchNorm,
  LayerNorm,
  Dropout,
  MaxPool,
  AvgPool,
  AdaptiveAvgPool,
  Activation,
  Embedding,
  ParameterVector,
  LSTM,
  GRU,
  AdditiveAttentionPool,
  TemporalAttentionPool,
  MultiHeadAttention,
  lengthMask,
  maskedMean,
  ModuleList,
  ModuleDict,
  ConvBranch,
  reluStack,
  classifierHead,
  ModuleNode,
  ModuleTree,
  initLayer,
  initTensor,
  WindowConv1d,
  TransformerEncoderLayer,
  maskedMaxOverTime,
} as const;

/** Type of {@link nn}, for `import type` in kind modules. */
export type Nn = typeof nn;
