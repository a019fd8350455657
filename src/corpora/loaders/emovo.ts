import { genderFromLetter, nameLoader, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';

const PATTERN = /^([a-z]{3})-([fm][1-3])-([a-z]\d{1,2})$/i;

/**
 * EMOVO (Italian): `dis-f1-b1.wav` = emotion-speaker-sentence; emotions dis (disgusto),
 * gio (gioia), neu, pau (paura), rab (rabbia), sor (sorpresa), tri (tristezza); speakers f1-f3, m1-m3.
 */
export const emovoLoader = nameLoader({
  name: 'emovo',
  title: 'EMOVO',
  matches: (rel) => PATTERN.test(stemOf(rel)),
  parse(rel) {
    const [, emotionRaw, speakerRaw, sentence] = PATTERN.exec(stemOf(rel))!;
    const emotion = emotionRaw.toLowerCase();
    const speaker = speakerRaw.toLowerCase();
    const label = canonicalLabel('emovo', emotion);
    if (!label) return `emotion ${emotionRaw} is not one of dis gio neu pau rab sor tri`;
    return {
      id: `${emotion}-${speaker}-${sentence.toLowerCase()}`,
      label,
      rawLabel: emotion,
      speaker,
      gender: genderFromLetter(speaker[0]),
      statement: sentence.toLowerCase(),
      meta: {},
    };
  },
});
