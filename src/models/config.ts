import { EmovoxInputError } from '../util/errors.js';

/** Feature-vector classifier: Linear + ReLU + Dropout blocks, then a Linear head. */
export interface MlpConfig {
  kind: 'mlp';
  /** Length of the input feature vector. */
  inputDim: number;
  /** Number of output classes. */
  classes: number;
  /** Hidden layer widths (default [256, 128]). */
  hidden?: number[];
  /** Dropout probability after each hidden layer (default 0.3). */
  dropout?: number;
}

/** Classic 1-D CNN over a feature vector treated as a one-channel signal. */
export interface Cnn1dConfig {
  kind: 'cnn1d';
  /** Length of the input feature vector (default 180). */
  inputDim: number;
  classes: number;
  /** Output channels of each Conv1d + BN + ReLU + MaxPool + Dropout block (default [128, 64]). */
  channels?: number[];
  /** Convolution kernel size, odd, "same" padding (default 5). */
  kernel?: number;
  /** Max-pool size and stride (default 2). */
  pool?: number;
  /** Dropout probability (default 0.3). */
  dropout?: number;
  /** Width of the dense layer before the head (default 64). */
  dense?: number;
}

/** Attention pooling used by {@link BilstmAttentionConfig}. */
export type AttentionKind = 'additive' | 'multihead' | 'temporal';

/** BiLSTM over frame features (frames x dims) with attention pooling. */
export interface BilstmAttentionConfig {
  kind: 'bilstmAttention';
  /** Feature dimension of each frame. */
  inputDim: number;
  classes: number;
  /** LSTM hidden size per direction (default 64). */
  hidden?: number;
  /** Stacked BiLSTM layers (default 1). */
  layers?: number;
  /**
   * Pooling: 'additive' (v·tanh(W h + b) scores), 'multihead' (multi-head self-attention over
   * frames, then masked mean pool) or 'temporal' (linear score per frame). Default 'additive'.
   */
  attention?: AttentionKind;
  /** Additive attention width (default 64). */
  attentionDim?: number;
  /** Heads for 'multihead'; must divide 2 * hidden (default 4). */
  heads?: number;
  /** Length of an optional utterance vector (prosody, x-vector) concatenated before the head (default 0). */
  extraDim?: number;
  /** Width of the dense layer before the head (default 64). */
  dense?: number;
  /** Dropout probability (default 0.3). */
  dropout?: number;
}

/** 2-D CNN over spectrogram images (channels x height x width). */
export interface Cnn2dConfig {
  kind: 'cnn2d';
  /** Input image shape [channels, height, width] (default [1, 128, 128]). */
  inputShape?: [number, number, number];
  classes: number;
  /** Output channels of each Conv2d(3x3) + BN + ReLU + MaxPool(2) block (default [16, 32, 64]). */
  channels?: number[];
  /** Width of the dense layer before the head (default 64). */
  dense?: number;
  /** Dropout probability (default 0.3). */
  dropout?: number;
}

/** 1-D CNN branch on a feature vector + 2-D CNN branch on a spectrogram, fused by an MLP. */
export interface HybridConfig {
  kind: 'hybrid';
  /** Feature vector length. */
  vectorDim: number;
  /** Spectrogram shape [channels, height, width] (default [1, 128, 128]). */
  imageShape?: [number, number, number];
  classes: number;
  /** Conv1d branch channels (default [64, 64]). */
  vectorChannels?: number[];
  /** Conv2d branch channels (default [16, 32, 64]). */
  imageChannels?: number[];
  /** Fusion MLP width (default 64). */
  dense?: number;
  /** Dropout probability (default 0.3). */
  dropout?: number;
}

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

/** Any model configuration, discriminated by `kind`. */
export type ModelConfig =
  MlpConfig | Cnn1dConfig | BilstmAttentionConfig | Cnn2dConfig | HybridConfig | FusionConfig;

/** Model kinds known to {@link resolveConfig}. */
export const MODEL_KINDS = ['mlp', 'cnn1d', 'bilstmAttention', 'cnn2d', 'hybrid', 'fusion'] as const;

/** A configuration with every default filled in. */
export type Resolved<T> = Required<T>;

const SOURCE = 'model config';

function positiveInt(value: unknown, field: string, max = 1 << 20): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new EmovoxInputError(
      SOURCE,
      `${field} must be an integer in [1, ${max}], got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function intList(value: unknown, field: string): number[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 16) {
    throw new EmovoxInputError(SOURCE, `${field} must be a non-empty list of at most 16 integers`);
  }
  return value.map((v, i) => positiveInt(v, `${field}[${i}]`, 8192));
}

function probability(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new EmovoxInputError(SOURCE, `${field} must be a number in [0, 1), got ${JSON.stringify(value)}`);
  }
  return value;
}

function shape3(value: unknown, field: string): [number, number, number] {
  const list = intList(value, field);
  if (list.length !== 3) throw new EmovoxInputError(SOURCE, `${field} must be [channels, height, width]`);
  return [list[0], list[1], list[2]];
}

/** Spatial size after `blocks` max-pools of size 2 (floor), as PyTorch's MaxPool does. */
function pooledSize(size: number, blocks: number, pool = 2): number {
  let s = size;
  for (let i = 0; i < blocks; i++) s = Math.floor(s / pool);
  return s;
}

function requireImage(shape: [number, number, number], blocks: number, field: string): void {
  if (pooledSize(shape[1], blocks) < 1 || pooledSize(shape[2], blocks) < 1) {
    throw new EmovoxInputError(
      SOURCE,
      `${field} ${shape.join('x')} is too small for ${blocks} pooling blocks`,
    );
  }
}

/**
 * Validates a model configuration (for example parsed from JSON) and fills in every default.
 * @param config - object with a `kind` among {@link MODEL_KINDS} and that kind's fields.
 * @returns a copy with all optional fields set.
 * @throws EmovoxInputError('model config', problem) for unknown kinds or out-of-range fields.
 */
export function resolveConfig(config: unknown): Resolved<ModelConfig> {
  if (typeof config !== 'object' || config === null) throw new EmovoxInputError(SOURCE, 'must be an object');
  const c = config as Record<string, unknown>;
  const classes = (): number => positiveInt(c.classes, 'classes', 100000);
  const dropout = (): number => probability(c.dropout ?? 0.3, 'dropout');
  switch (c.kind) {
    case 'mlp':
      return {
        kind: 'mlp',
        inputDim: positiveInt(c.inputDim, 'inputDim'),
        classes: classes(),
        hidden: intList(c.hidden ?? [256, 128], 'hidden'),
        dropout: dropout(),
      };
    case 'cnn1d': {
      const r: Resolved<Cnn1dConfig> = {
        kind: 'cnn1d',
        inputDim: positiveInt(c.inputDim ?? 180, 'inputDim'),
        classes: classes(),
        channels: intList(c.channels ?? [128, 64], 'channels'),
        kernel: positiveInt(c.kernel ?? 5, 'kernel', 63),
        pool: positiveInt(c.pool ?? 2, 'pool', 16),
        dropout: dropout(),
        dense: positiveInt(c.dense ?? 64, 'dense', 65536),
      };
      if (r.kernel % 2 === 0) throw new EmovoxInputError(SOURCE, 'kernel must be odd ("same" padding)');
      if (pooledSize(r.inputDim, r.channels.length, r.pool) < 1) {
        throw new EmovoxInputError(
          SOURCE,
          `inputDim ${r.inputDim} is too short for ${r.channels.length} pools`,
        );
      }
      return r;
    }
    case 'bilstmAttention': {
      const attention = c.attention ?? 'additive';
      if (attention !== 'additive' && attention !== 'multihead' && attention !== 'temporal') {
        throw new EmovoxInputError(
          SOURCE,
          `attention must be additive, multihead or temporal, got ${String(attention)}`,
        );
      }
      const r: Resolved<BilstmAttentionConfig> = {
        kind: 'bilstmAttention',
        inputDim: positiveInt(c.inputDim, 'inputDim'),
        classes: classes(),
        hidden: positiveInt(c.hidden ?? 64, 'hidden', 4096),
        layers: positiveInt(c.layers ?? 1, 'layers', 8),
        attention,
        attentionDim: positiveInt(c.attentionDim ?? 64, 'attentionDim', 4096),
        heads: positiveInt(c.heads ?? 4, 'heads', 64),
        extraDim: c.extraDim === undefined || c.extraDim === 0 ? 0 : positiveInt(c.extraDim, 'extraDim'),
        dense: positiveInt(c.dense ?? 64, 'dense', 65536),
        dropout: dropout(),
      };
      if (attention === 'multihead' && (2 * r.hidden) % r.heads !== 0) {
        throw new EmovoxInputError(SOURCE, `heads (${r.heads}) must divide 2 * hidden (${2 * r.hidden})`);
      }
      return r;
    }
    case 'cnn2d': {
      const r: Resolved<Cnn2dConfig> = {
        kind: 'cnn2d',
        inputShape: shape3(c.inputShape ?? [1, 128, 128], 'inputShape'),
        classes: classes(),
        channels: intList(c.channels ?? [16, 32, 64], 'channels'),
        dense: positiveInt(c.dense ?? 64, 'dense', 65536),
        dropout: dropout(),
      };
      requireImage(r.inputShape, r.channels.length, 'inputShape');
      return r;
    }
    case 'hybrid': {
      const r: Resolved<HybridConfig> = {
        kind: 'hybrid',
        vectorDim: positiveInt(c.vectorDim, 'vectorDim'),
        imageShape: shape3(c.imageShape ?? [1, 128, 128], 'imageShape'),
        classes: classes(),
        vectorChannels: intList(c.vectorChannels ?? [64, 64], 'vectorChannels'),
        imageChannels: intList(c.imageChannels ?? [16, 32, 64], 'imageChannels'),
        dense: positiveInt(c.dense ?? 64, 'dense', 65536),
        dropout: dropout(),
      };
      requireImage(r.imageShape, r.imageChannels.length, 'imageShape');
      if (pooledSize(r.vectorDim, r.vectorChannels.length) < 1) {
        throw new EmovoxInputError(
          SOURCE,
          `vectorDim ${r.vectorDim} is too short for ${r.vectorChannels.length} pools`,
        );
      }
      return r;
    }
    case 'fusion': {
      const textInput = c.textInput ?? 'embedding';
      if (textInput !== 'embedding' && textInput !== 'tokens') {
        throw new EmovoxInputError(SOURCE, `textInput must be embedding or tokens, got ${String(textInput)}`);
      }
      return {
        kind: 'fusion',
        audioDim: positiveInt(c.audioDim, 'audioDim'),
        classes: classes(),
        audioHidden: intList(c.audioHidden ?? [128], 'audioHidden'),
        textInput,
        textDim: positiveInt(c.textDim ?? 384, 'textDim'),
        vocabSize:
          textInput === 'tokens' ? positiveInt(c.vocabSize, 'vocabSize', 1 << 22) : Number(c.vocabSize ?? 0),
        embedDim: positiveInt(c.embedDim ?? 64, 'embedDim', 4096),
        textHidden: positiveInt(c.textHidden ?? 64, 'textHidden', 65536),
        dense: positiveInt(c.dense ?? 64, 'dense', 65536),
        dropout: dropout(),
      };
    }
    default:
      throw new EmovoxInputError(
        SOURCE,
        `unknown model kind ${JSON.stringify(c.kind)} (known: ${MODEL_KINDS.join(', ')})`,
      );
  }
}
