// Text modality: normalisation, word vocabularies and Hugging Face tokenizers, dialogue context.
// Browser-safe except `loadHfTokenizer` (src/text/load.ts, node:fs).
export { normalizeText, type NormalizeOptions } from './normalize.js';
export {
  WordVocabulary,
  wordTokens,
  truncateIds,
  PAD_ID,
  OOV_ID,
  SEP_ID,
  CLS_ID,
  SPECIAL_TOKENS,
  type VocabularyOptions,
  type WordVocabularyJson,
  type EncodeOptions,
  type TokenBatch,
} from './word-vocab.js';
export {
  previousTurns,
  followingTurns,
  encodeDialogue,
  type DialogueTurn,
  type DialogueEncodeOptions,
} from './context.js';
export {
  HfTokenizer,
  wordPieceJson,
  byteLevelBpeJson,
  type HfBatch,
  type HfEncoding,
  type HfEncodeOptions,
} from './hf-tokenizer.js';
export { loadHfTokenizer } from './load.js';
export {
  OnnxTextEncoder,
  pool as poolTokenVectors,
  type TextEncoderOptions,
  type TextEmbeddings,
  type TextPooling,
} from './encoder.js';
export {
  loadMeldText,
  loadPairedManifest,
  MELD_SPLITS,
  MANIFEST_SPLITS,
  type TextItem,
  type TextCorpus,
} from './corpus.js';
