import { nameLoader, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';

const PATTERN = /^(OAF|YAF|OA)_([A-Za-z]+)_([A-Za-z]+)$/;

/**
 * TESS: `OAF_back_angry.wav` = speaker_word_emotion, speakers OAF (older) and YAF (younger
 * female). `ps` is pleasant surprise. The original corpus names one file `OA_bite_neutral`;
 * `OA` is read as speaker OAF.
 */
export const tessLoader = nameLoader({
  name: 'tess',
  title: 'TESS',
  matches: (rel) => PATTERN.test(stemOf(rel)),
  parse(rel) {
    const [, speakerCode, word, emotion] = PATTERN.exec(stemOf(rel))!;
    const label = canonicalLabel('tess', emotion.toLowerCase());
    if (!label) return `emotion "${emotion}" is not one of angry, disgust, fear, happy, neutral, ps, sad`;
    const speaker = speakerCode === 'OA' ? 'OAF' : speakerCode;
    return {
      id: `${speaker}_${word.toLowerCase()}_${emotion.toLowerCase()}`,
      label,
      rawLabel: emotion.toLowerCase(),
      speaker,
      gender: 'female',
      text: word,
      meta: {
        word,
        age: speaker === 'OAF' ? 'older (64)' : 'younger (26)',
        ...(speakerCode === 'OA' ? { nameQuirk: 'OA' } : {}),
      },
    };
  },
});
