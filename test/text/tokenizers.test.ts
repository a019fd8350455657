import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot } from '../helpers/data.js';
import {
  HfTokenizer,
  loadHfTokenizer,
  normalizeText,
  WordVocabulary,
  wordTokens,
  encodeDialogue,
  followingTurns,
  previousTurns,
  CLS_ID,
  OOV_ID,
  SEP_ID,
} from '../../src/text/index.js';
import { EmovoxInputError } from '../../src/util/errors.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'text');

test('normalizeText repairs MELD-style encoding accidents and folds typographic punctuation', () => {
  assert.equal(
    normalizeText('You must\u2019ve had your hands full\u2026'),
    "You must've had your hands full...",
  );
  // C1 control read through Latin-1 (the \x92 of some MELD copies) and UTF-8 read as cp1252.
  assert.equal(normalizeText('don\u0092t'), "don't");
  assert.equal(normalizeText('don\u00e2\u20ac\u2122t'), "don't");
  assert.equal(normalizeText('don\u00e2\u0080\u0099t'), "don't");
  assert.equal(normalizeText('\u201cOh\u201d \u2014 no'), '"Oh" - no');
  // Real accented text is left alone.
  assert.equal(normalizeText('Caf\u00e9 na\u00efve'), 'Caf\u00e9 na\u00efve');
  assert.equal(normalizeText('  a\u00a0\u00a0b \n c '), 'a b c');
  assert.equal(normalizeText('Hey', { lowercase: true }), 'hey');
  assert.equal(normalizeText('\u2019', { asciiPunctuation: false }), '\u2019');
});

test('wordTokens: lower-case words with inner apostrophes, punctuation marks alone', () => {
  assert.deepEqual(wordTokens('Oh my God!! You don\u2019t know…'), [
    'oh',
    'my',
    'god',
    '!',
    '!',
    'you',
    "don't",
    'know',
    '.',
    '.',
    '.',
  ]);
  assert.deepEqual(wordTokens('   '), []);
});

test('WordVocabulary: reserved ids, min count, frequency order, OOV, padding, JSON round trip', () => {
  const v = WordVocabulary.build(['the cat', 'The dog!', 'the cat?', 'a bird'], { minCount: 2 });
  assert.deepEqual(v.tokens, ['[PAD]', '[UNK]', '[SEP]', '[CLS]', 'the', 'cat']);
  assert.equal(v.size, 6);
  assert.deepEqual(v.encode('The cat sat'), [4, 5, OOV_ID]);
  assert.deepEqual(v.encode('the cat the cat', { maxLength: 3 }), [4, 5, 4]);
  assert.deepEqual(v.encode('the cat the dog', { maxLength: 2, truncate: 'start' }), [4, OOV_ID]);
  assert.deepEqual(v.encode('cat', { cls: true }), [CLS_ID, 5]);
  const batch = v.encodeBatch(['the cat the', '', 'cat']);
  assert.deepEqual(batch.shape, [3, 3]);
  assert.deepEqual([...batch.ids], [4n, 5n, 4n, 1n, 0n, 0n, 5n, 0n, 0n]);
  assert.deepEqual([...batch.lengths], [3, 1, 1]);
  const again = WordVocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
  assert.deepEqual(again.tokens, v.tokens);
  assert.equal(WordVocabulary.build(['b a', 'a b'], { minCount: 1, maxWords: 1 }).tokens[4], 'a');
  assert.throws(() => WordVocabulary.fromJSON({ type: 'x' }), EmovoxInputError);
  assert.throws(() => WordVocabulary.build([], { minCount: 0 }), /minCount/);
});

/** Two dialogues, given out of turn order. */
const DIALOGUE_TURNS = [
  { dialogue: 'd1', turn: 2, text: 'c', speaker: 'Ross' },
  { dialogue: 'd1', turn: 0, text: 'a', speaker: 'Joey' },
  { dialogue: 'd2', turn: 0, text: 'x' },
  { dialogue: 'd1', turn: 1, text: 'b', speaker: 'Rachel' },
];

test('dialogue context: previous turns in order, separator, oldest context dropped first', () => {
  const turns = DIALOGUE_TURNS;
  assert.deepEqual(previousTurns(turns, 2), [['a', 'b'], [], [], ['a']]);
  assert.deepEqual(previousTurns(turns, 1, true), [['Rachel: b'], [], [], ['Joey: a']]);
  assert.deepEqual(previousTurns(turns, 0), [[], [], [], []]);
  const enc = (t: string) => t.split(' ').map((w) => w.length + 10);
  assert.deepEqual(encodeDialogue(enc, 'aa b', ['ccc', 'dddd e']), [13, SEP_ID, 14, 11, SEP_ID, 12, 11]);
  assert.deepEqual(encodeDialogue(enc, 'aa b', ['ccc', 'dddd e'], { maxLength: 5 }), [
    14,
    11,
    SEP_ID,
    12,
    11,
  ]);
  assert.deepEqual(encodeDialogue(enc, 'aa b', [], { cls: true }), [CLS_ID, 12, 11]);
  assert.deepEqual(encodeDialogue(enc, 'a b c d', ['x'], { maxLength: 3 }), [11, 11, 11]);
  // encodeContext encodes the previous turns only (e.g. ids of their own for context words).
  const marked = (t: string) => enc(t).map((id) => id + 100);
  assert.deepEqual(encodeDialogue(enc, 'aa b', ['ccc', 'dddd e'], { encodeContext: marked }), [
    113,
    SEP_ID,
    114,
    111,
    SEP_ID,
    12,
    11,
  ]);
});

test('dialogue context: following turns nearest first after the utterance; the budget shared with previous turns', () => {
  const turns = DIALOGUE_TURNS;
  assert.deepEqual(followingTurns(turns, 2), [[], ['b', 'c'], [], ['c']]);
  assert.deepEqual(followingTurns(turns, 1, true), [[], ['Rachel: b'], [], ['Ross: c']]);
  assert.deepEqual(followingTurns(turns, 0), [[], [], [], []]);
  assert.throws(() => followingTurns(turns, -1), /turns/);
  const enc = (t: string) => t.split(' ').map((w) => w.length + 10);
  const next = (t: string) => enc(t).map((id) => id + 200);
  // utterance [SEP] next1 [SEP] next2, the following turns with their own encoder.
  assert.deepEqual(encodeDialogue(enc, 'aa', [], { following: ['b', 'ccc d'], encodeFollowing: next }), [
    12,
    SEP_ID,
    211,
    SEP_ID,
    213,
    211,
  ]);
  // Without encodeFollowing, following turns use encodeContext.
  const marked = (t: string) => enc(t).map((id) => id + 100);
  assert.deepEqual(encodeDialogue(enc, 'aa', ['b'], { following: ['c'], encodeContext: marked }), [
    111,
    SEP_ID,
    12,
    SEP_ID,
    111,
  ]);
  // Budget 6 - 1 = 5 for 4 context ids and 4 following ids: the following side gets half (2),
  // the previous side the rest (3); each loses the ids farthest from the utterance.
  assert.deepEqual(encodeDialogue(enc, 'u', ['a bb cc'], { following: ['dd ee ff'], maxLength: 6 }), [
    12,
    12,
    SEP_ID,
    11,
    SEP_ID,
    12,
  ]);
  // A short side gives its unused share to the other.
  assert.deepEqual(encodeDialogue(enc, 'u', ['a'], { following: ['dd ee ff'], maxLength: 6 }), [
    11,
    SEP_ID,
    11,
    SEP_ID,
    12,
    12,
  ]);
});

test('WordPiece tokenizer.json (hand-written fixture): known encodings, pairs, truncation, padding', () => {
  const tok = loadHfTokenizer(join(fixtures, 'wordpiece'));
  assert.equal(tok.padId, 0);
  assert.equal(tok.vocabSize, 28);
  assert.deepEqual(tok.encode('I am so UNHAPPY!').ids, [2, 5, 6, 7, 9, 10, 12, 3]);
  assert.deepEqual(tok.encode('I am so UNHAPPY!').tokens, [
    '[CLS]',
    'i',
    'am',
    'so',
    'un',
    '##happy',
    '!',
    '[SEP]',
  ]);
  // Accents stripped by the BERT normaliser (uncased), unknown words -> [UNK].
  assert.deepEqual(tok.encode('Café zzz').ids, [2, 27, 1, 3]);
  // Typographic apostrophe normalised first: don ' t as BERT splits the ASCII quote.
  assert.deepEqual(tok.encode('don\u2019t').ids, [2, 20, 21, 22, 3]);
  const pair = tok.encode('Oh my god', 'you were right');
  assert.deepEqual(pair.ids, [2, 23, 24, 25, 3, 14, 15, 19, 3]);
  assert.deepEqual(pair.tokenTypeIds, [0, 0, 0, 0, 0, 1, 1, 1, 1]);
  // longest_first truncation keeps the special tokens.
  assert.deepEqual(tok.encode('oh my god oh my god', null, { maxLength: 5 }).ids, [2, 23, 24, 25, 3]);
  assert.deepEqual(tok.encode('oh my god oh', 'you were', { maxLength: 7 }).ids, [2, 23, 24, 3, 14, 15, 3]);
  const batch = tok.encodeBatch(['hello', 'oh my god'], { pairs: [null, 'yeah'] });
  assert.deepEqual(batch.shape, [2, 7]);
  assert.deepEqual([...batch.inputIds], [2n, 26n, 3n, 0n, 0n, 0n, 0n, 2n, 23n, 24n, 25n, 3n, 18n, 3n]);
  assert.deepEqual([...batch.attentionMask], [1n, 1n, 1n, 0n, 0n, 0n, 0n, 1n, 1n, 1n, 1n, 1n, 1n, 1n]);
  assert.deepEqual([...batch.tokenTypeIds], [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 1n, 1n]);
  assert.equal(tok.decode([2, 9, 10, 12, 3]), 'unhappy!');
  assert.throws(() => tok.encode('x', null, { maxLength: 2 }), /maxLength/);
});

test('vocab.txt builds the same WordPiece tokenizer as its tokenizer.json', () => {
  const fromJson = loadHfTokenizer(join(fixtures, 'wordpiece', 'tokenizer.json'));
  const fromVocab = loadHfTokenizer(join(fixtures, 'wordpiece', 'vocab.txt'));
  for (const text of ['I am so UNHAPPY!', 'What? Yeah, right.', 'hello you', 'Ünhappying', '']) {
    assert.deepEqual(fromVocab.encode(text, 'oh god'), fromJson.encode(text, 'oh god'), text);
  }
  assert.throws(() => HfTokenizer.fromVocabTxt('a\nb\n'), /\[UNK\]/);
});

test('byte-level BPE tokenizer.json (hand-written fixture): merges applied in rank order, RoBERTa specials', () => {
  const tok = loadHfTokenizer(join(fixtures, 'bpe'));
  assert.equal(tok.padId, 1);
  const hello = tok.encode('hello world');
  assert.deepEqual(hello.tokens, ['<s>', 'hello', 'Ġworld', '</s>']);
  assert.deepEqual(hello.ids, [0, 22, 27, 2]);
  assert.deepEqual(tok.encode('I\u2019m happy!').tokens, ['<s>', 'I', "'m", 'Ġhappy', '!', '</s>']);
  // "Ġhello" has no merge with Ġ: Ġ + hello; "happy" at the start has no Ġ.
  assert.deepEqual(tok.encode('happy hello').tokens, ['<s>', 'happy', 'Ġ', 'hello', '</s>']);
  assert.deepEqual(tok.encode('hello', 'happy').tokens, ['<s>', 'hello', '</s>', '</s>', 'happy', '</s>']);
  const batch = tok.encodeBatch(['hello', 'hello world']);
  assert.deepEqual([...batch.inputIds], [0n, 22n, 2n, 1n, 0n, 22n, 27n, 2n]);
  assert.equal(tok.decode(hello.ids), 'hello world');
});

test('vocab.json + merges.txt build the same BPE tokenizer as its tokenizer.json', () => {
  const fromJson = loadHfTokenizer(join(fixtures, 'bpe'));
  const fromFiles = loadHfTokenizer(join(fixtures, 'bpe-files'));
  for (const text of ['hello world', "I'm happy!", 'happy hello world']) {
    assert.deepEqual(fromFiles.encode(text).ids, fromJson.encode(text).ids, text);
  }
});

test('loadHfTokenizer reports missing and malformed files', () => {
  assert.throws(() => loadHfTokenizer(join(fixtures, 'nope')), EmovoxInputError);
  assert.throws(() => loadHfTokenizer(fixtures), /no tokenizer.json/);
  assert.throws(() => HfTokenizer.fromJson({ nothing: 1 }), /tokenizer.json/);
});
