// Node-only: reads a Hugging Face tokenizer's files from disk (the tokenizer itself is
// browser-safe and takes parsed JSON; a web page fetches the same files and calls fromJson).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { HfTokenizer } from './hf-tokenizer.js';

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new EmovoxInputError(path, `not readable JSON (${errorMessage(error)})`);
  }
}

/**
 * Loads a Hugging Face tokenizer from a model folder or one of its files, in this order of
 * preference: `tokenizer.json` (any model type, with `tokenizer_config.json` beside it when
 * present); `vocab.txt` (BERT WordPiece; lower-cased unless tokenizer_config.json says
 * `"do_lower_case": false`); `vocab.json` + `merges.txt` (RoBERTa byte-level BPE; GPT-2 style,
 * without special tokens, when the vocabulary has no `<s>`). Nothing is downloaded.
 * @param path - a folder, or a tokenizer.json / vocab.txt / vocab.json file.
 * @throws EmovoxInputError(path, problem) when no tokenizer files are found or they are invalid.
 */
export function loadHfTokenizer(path: string): HfTokenizer {
  let dir: string;
  try {
    dir = statSync(path).isDirectory() ? path : dirname(path);
  } catch (error) {
    throw new EmovoxInputError(path, `cannot read tokenizer: ${errorMessage(error)}`);
  }
  const file = dir === path ? undefined : basename(path);
  const at = (name: string) => join(dir, name);
  const config = existsSync(at('tokenizer_config.json')) ? readJson(at('tokenizer_config.json')) : {};
  const want = (name: string) => (file === undefined || file === name) && existsSync(at(name));
  if (want('tokenizer.json') || (file && file.endsWith('.json') && file !== 'vocab.json')) {
    return HfTokenizer.fromJson(readJson(file ? path : at('tokenizer.json')), config);
  }
  if (want('vocab.txt')) {
    return HfTokenizer.fromVocabTxt(readFileSync(at('vocab.txt'), 'utf8'), config.do_lower_case !== false);
  }
  if (want('vocab.json') && existsSync(at('merges.txt'))) {
    const vocab = readJson(at('vocab.json')) as Record<string, number>;
    return HfTokenizer.fromBpeFiles(
      vocab,
      readFileSync(at('merges.txt'), 'utf8'),
      '<s>' in vocab ? 'roberta' : 'gpt2',
    );
  }
  throw new EmovoxInputError(path, 'no tokenizer.json, vocab.txt or vocab.json + merges.txt found');
}
