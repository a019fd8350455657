// The model kinds: one line each (the kind object and its configuration type). Adding a kind is
// one new module in this folder plus one line here; see CONTRIBUTING.md, "Add a model kind".
export { bilstmAttentionKind, type BilstmAttentionConfig, type AttentionKind } from './bilstm-attention.js';
export { cnn1dKind, type Cnn1dConfig } from './cnn1d.js';
export { cnn2dKind, type Cnn2dConfig } from './cnn2d.js';
export { efficientnetB0Kind, type EfficientnetB0Config } from './efficientnet-b0.js';
export { fusionKind, type FusionConfig } from './fusion.js';
export { hybridKind, type HybridConfig } from './hybrid.js';
export { linearKind, type LinearConfig } from './linear.js';
export { mlpKind, type MlpConfig } from './mlp.js';
export { resnetKind, type ResnetConfig } from './resnet.js';
export { vgg16Kind, type Vgg16Config } from './vgg16.js';
export { textBilstmKind, type TextBilstmConfig } from './text-bilstm.js';
export { textCnnKind, type TextCnnConfig } from './text-cnn.js';
export { textTransformerKind, type TextTransformerConfig } from './text-transformer.js';
