// Hugging Face tokenizers (WordPiece, BPE, Unigram) from a standard `tokenizer.json`, through
// the official pure-JS port @huggingface/tokenizers. Browser-safe: takes parsed JSON, reads no
// files and fetches nothing (src/text/load.ts reads the files in Node).
import { Tokenizer } from '@huggingface/tokenizers';
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { normalizeText } from './normalize.js';

/** Model inputs of a batch of texts: int64 [count, length] row-major each. */
export interface HfBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  /** Segment ids (0 for the first text, 1 for the pair); zeros for single texts. */
  tokenTypeIds: BigInt64Array;
  shape: [number, number];
}

/** One encoded text: ids with special tokens, and the segment of each id. */
export interface HfEncoding {
  ids: number[];
  tokens: string[];
  tokenTypeIds: number[];
}

/** Options of {@link HfTokenizer.encode} and {@link HfTokenizer.encodeBatch}. */
export interface HfEncodeOptions {
  /** Ids at most, special tokens included (default 512). Longer texts lose their last tokens. */
  maxLength?: number;
  /** Second segments (sentence pairs; e.g. dialogue context), one per text. */
  pairs?: readonly (string | null)[];
  /**
   * Run {@link normalizeText} first (repairs mojibake, folds typographic quotes to ASCII) before
   * the tokenizer's own normaliser (default true: the pretrained vocabularies know "'" far better
   * than "’").
   */
  normalize?: boolean;
}

interface SpecialTokenConfig {
  content?: string;
}

/** Where a tokenizer's pad token is: tokenizer_config.json `pad_token`, else common names. */
function findPadId(tokenizer: Tokenizer, config: Record<string, unknown>): number {
  const configured = config.pad_token as string | SpecialTokenConfig | undefined;
  const name = typeof configured === 'string' ? configured : configured?.content;
  for (const candidate of [name, '[PAD]', '<pad>', '<|pad|>']) {
    if (!candidate) continue;
    const id = tokenizer.token_to_id(candidate) ?? tokenizer.get_vocab(true).get(candidate);
    if (id !== undefined) return id;
  }
  return 0;
}

/**
 * A Hugging Face tokenizer (BERT WordPiece, RoBERTa/GPT-2 byte-level BPE, XLNet/ALBERT Unigram...)
 * with padding and truncation, producing the `input_ids` / `attention_mask` / `token_type_ids`
 * a pretrained text encoder takes.
 */
export class HfTokenizer {
  /** Id rows are padded with (tokenizer_config `pad_token`, else [PAD] / <pad>, else 0). */
  readonly padId: number;
  private readonly specialsSingle: number;
  private readonly specialsPair: number;

  private constructor(
    private readonly tokenizer: Tokenizer,
    config: Record<string, unknown>,
  ) {
    this.padId = findPadId(tokenizer, config);
    this.specialsSingle = this.postProcess([], null).tokens.length;
    this.specialsPair = this.postProcess([], []).tokens.length;
  }

  /**
   * A tokenizer from parsed `tokenizer.json` (and optionally `tokenizer_config.json`).
   * @throws EmovoxInputError('tokenizer.json', problem) when the library cannot build it.
   */
  static fromJson(tokenizerJson: unknown, config: Record<string, unknown> = {}): HfTokenizer {
    if (typeof tokenizerJson !== 'object' || tokenizerJson === null || !('model' in tokenizerJson))
      throw new EmovoxInputError('tokenizer.json', 'not a Hugging Face tokenizer.json (no "model")');
    try {
      return new HfTokenizer(new Tokenizer(tokenizerJson, config), config);
    } catch (error) {
      throw new EmovoxInputError('tokenizer.json', `cannot build tokenizer: ${(error as Error).message}`);
    }
  }

  /**
   * A BERT WordPiece tokenizer from a `vocab.txt` (one token per line, the line number is the
   * id), as `BertTokenizerFast` builds it: BERT normaliser (lower-case and accent stripping when
   * `lowercase`), BERT pre-tokenizer, WordPiece with `##` continuations and [UNK], and
   * `[CLS] A [SEP] (B [SEP])` around the text.
   * @param vocabTxt - the file's contents.
   * @param lowercase - uncased model (default true).
   */
  static fromVocabTxt(vocabTxt: string, lowercase = true): HfTokenizer {
    return HfTokenizer.fromJson(wordPieceJson(vocabTxt, lowercase));
  }

  private postProcess(a: string[], b: string[] | null): { tokens: string[]; token_type_ids?: number[] } {
    const processor = this.tokenizer.post_processor;
    if (!processor) return { tokens: [...a, ...(b ?? [])] };
    return processor(a, b, true);
  }

  private id(token: string): number {
    const id = this.tokenizer.token_to_id(token) ?? this.tokenizer.get_vocab(true).get(token);
    if (id === undefined) throw new EmovoxInputError('tokenizer.json', `token "${token}" has no id`);
    return id;
  }

  /** Vocabulary size (added tokens included). */
  get vocabSize(): number {
    return this.tokenizer.get_vocab(true).size;
  }

  /** Sub-word tokens of a text, without special tokens. */
  tokenize(text: string, normalize = true): string[] {
    return this.tokenizer.tokenize(normalize ? normalizeText(text) : text, { add_special_tokens: false });
  }

  /**
   * Encodes one text (and its pair) with special tokens, cut to `maxLength`: the longer segment
   * loses its last tokens first (Hugging Face's 'longest_first').
   */
  encode(text: string, pair: string | null = null, options: HfEncodeOptions = {}): HfEncoding {
    const maxLength = options.maxLength ?? 512;
    const specials = pair === null ? this.specialsSingle : this.specialsPair;
    if (!Number.isInteger(maxLength) || maxLength <= specials)
      throw new EmovoxParameterError('maxLength', `must be an integer > ${specials}, got ${maxLength}`);
    const normalize = options.normalize ?? true;
    const a = this.tokenize(text, normalize);
    const b = pair === null ? null : this.tokenize(pair, normalize);
    const budget = maxLength - specials;
    while (a.length + (b?.length ?? 0) > budget) {
      if (b && b.length > a.length) b.pop();
      else a.pop();
    }
    const out = this.postProcess(a, b);
    const ids = out.tokens.map((t) => this.id(t));
    return { ids, tokens: out.tokens, tokenTypeIds: out.token_type_ids ?? ids.map(() => 0) };
  }

  /**
   * Encodes texts and pads them to the longest (right padding with {@link padId}, mask 0).
   * @param texts - one text per row.
   * @param options - maxLength (default 512), pairs, normalize (default true).
   */
  encodeBatch(texts: readonly string[], options: HfEncodeOptions = {}): HfBatch {
    if (options.pairs && options.pairs.length !== texts.length)
      throw new EmovoxParameterError(
        'pairs',
        `has ${options.pairs.length} entries for ${texts.length} texts`,
      );
    const rows = texts.map((t, i) => this.encode(t, options.pairs?.[i] ?? null, options));
    const width = Math.max(1, ...rows.map((r) => r.ids.length));
    const inputIds = new BigInt64Array(texts.length * width).fill(BigInt(this.padId));
    const attentionMask = new BigInt64Array(texts.length * width);
    const tokenTypeIds = new BigInt64Array(texts.length * width);
    rows.forEach((r, i) => {
      r.ids.forEach((id, j) => {
        inputIds[i * width + j] = BigInt(id);
        attentionMask[i * width + j] = 1n;
        tokenTypeIds[i * width + j] = BigInt(r.tokenTypeIds[j] ?? 0);
      });
    });
    return { inputIds, attentionMask, tokenTypeIds, shape: [texts.length, width] };
  }

  /**
   * A byte-level BPE tokenizer from the `vocab.json` + `merges.txt` pair that RoBERTa and GPT-2
   * checkpoints ship: byte-level pre-tokenizer and decoder, BPE with those merges, and for
   * 'roberta' `<s> A </s>` (`<s> A </s></s> B </s>` for pairs) around the text.
   * @param vocab - parsed vocab.json (token → id).
   * @param mergesTxt - merges.txt contents (a `#version` first line is skipped).
   * @param style - 'roberta' (default) or 'gpt2' (no special tokens added).
   */
  static fromBpeFiles(
    vocab: Record<string, number>,
    mergesTxt: string,
    style: 'roberta' | 'gpt2' = 'roberta',
  ): HfTokenizer {
    return HfTokenizer.fromJson(byteLevelBpeJson(vocab, mergesTxt, style));
  }

  /** Text of ids (special tokens skipped). */
  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }
}

/**
 * The `tokenizer.json` that Hugging Face's `BertTokenizerFast` writes for a `vocab.txt`.
 * @throws EmovoxInputError('vocab.txt', problem) when [UNK], [CLS] or [SEP] is missing.
 */
export function wordPieceJson(vocabTxt: string, lowercase = true): Record<string, unknown> {
  const lines = vocabTxt.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const vocab: Record<string, number> = {};
  lines.forEach((t, i) => {
    if (!(t in vocab)) vocab[t] = i;
  });
  for (const t of ['[UNK]', '[CLS]', '[SEP]'])
    if (!(t in vocab)) throw new EmovoxInputError('vocab.txt', `has no ${t} token`);
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].filter((t) => t in vocab);
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: string, typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((t) => ({
      id: vocab[t],
      content: t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0)],
      pair: [
        special('[CLS]', 0),
        sequence('A', 0),
        special('[SEP]', 0),
        sequence('B', 1),
        special('[SEP]', 1),
      ],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [vocab[t]], tokens: [t] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

/**
 * The `tokenizer.json` of a byte-level BPE (RoBERTa / GPT-2) from its `vocab.json` and
 * `merges.txt`, as Hugging Face's fast tokenizers convert them.
 * @throws EmovoxInputError('merges.txt', problem) for a malformed merge line.
 */
export function byteLevelBpeJson(
  vocab: Record<string, number>,
  mergesTxt: string,
  style: 'roberta' | 'gpt2' = 'roberta',
): Record<string, unknown> {
  const merges = mergesTxt
    .split(/\r?\n/)
    .filter((line, i) => line.trim() !== '' && !(i === 0 && line.startsWith('#version')));
  merges.forEach((m, i) => {
    if (m.split(' ').length !== 2)
      throw new EmovoxInputError('merges.txt', `line ${i + 1} is not two tokens: "${m}"`);
  });
  const specials = ['<s>', '<pad>', '</s>', '<unk>', '<mask>', '<|endoftext|>'].filter((t) => t in vocab);
  const roberta = style === 'roberta';
  if (roberta)
    for (const t of ['<s>', '</s>'])
      if (!(t in vocab)) throw new EmovoxInputError('vocab.json', `has no ${t} token (RoBERTa style)`);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((t) => ({
      id: vocab[t],
      content: t,
      single_word: false,
      lstrip: t === '<mask>',
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: roberta
      ? {
          type: 'RobertaProcessing',
          sep: ['</s>', vocab['</s>']],
          cls: ['<s>', vocab['<s>']],
          trim_offsets: true,
          add_prefix_space: false,
        }
      : null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>' in vocab ? '<unk>' : null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}
