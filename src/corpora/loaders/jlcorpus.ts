import { nameLoader, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';

const PATTERN = /^((?:fe)?male)(\d)_([a-z]+)_(\d+)([a-z])_(\d+)$/;
const SECONDARY = new Set(['anxious', 'apologetic', 'assertive', 'concerned', 'encouraging', 'enthusiastic']);

/**
 * JL-Corpus (New Zealand English): `male1_angry_5a_1.wav` = speaker_emotion_sentence(number +
 * letter)_session. Primary emotions angry, sad, neutral, happy, excited; secondary emotions
 * anxious, apologetic, assertive, concerned, encouraging (and enthusiastic) keep their own
 * canonical labels, with `meta.emotionKind` telling primary from secondary.
 */
export const jlCorpusLoader = nameLoader({
  name: 'jl-corpus',
  title: 'JL-Corpus',
  matches: (rel) => PATTERN.test(stemOf(rel)),
  parse(rel) {
    const [, sex, number, emotion, sentenceNumber, sentenceVariant, session] = PATTERN.exec(stemOf(rel))!;
    const label = canonicalLabel('jl-corpus', emotion);
    if (!label) return `emotion "${emotion}" is not a JL-Corpus primary or secondary emotion`;
    return {
      id: stemOf(rel),
      label,
      rawLabel: emotion,
      speaker: `${sex}${number}`,
      gender: sex === 'female' ? 'female' : 'male',
      statement: `${sentenceNumber}${sentenceVariant}`,
      session,
      meta: { emotionKind: SECONDARY.has(emotion) ? 'secondary' : 'primary' },
    };
  },
});
