import { nameLoader, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';

const PATTERN = /^(\d{2})([ab]\d{2})([A-Z])([a-z])$/;
/** Speaker gender and age (EmoDB documentation). */
const SPEAKERS: Record<string, { gender: 'female' | 'male'; age: number }> = {
  '03': { gender: 'male', age: 31 },
  '08': { gender: 'female', age: 34 },
  '09': { gender: 'female', age: 21 },
  '10': { gender: 'male', age: 32 },
  '11': { gender: 'male', age: 26 },
  '12': { gender: 'male', age: 30 },
  '13': { gender: 'female', age: 32 },
  '14': { gender: 'female', age: 35 },
  '15': { gender: 'male', age: 25 },
  '16': { gender: 'female', age: 31 },
};

/**
 * EmoDB (Berlin): `03a01Fa.wav` = speaker (2 digits), text code (a01..b10), emotion letter
 * (German initial: W Wut, L Langeweile, E Ekel, A Angst, F Freude, T Trauer, N neutral), version letter.
 */
export const emodbLoader = nameLoader({
  name: 'emodb',
  title: 'EmoDB',
  matches: (rel) => PATTERN.test(stemOf(rel)),
  parse(rel) {
    const [, speaker, textCode, emotion, version] = PATTERN.exec(stemOf(rel))!;
    const info = SPEAKERS[speaker];
    if (!info) return `speaker ${speaker} is not an EmoDB speaker (03, 08-16)`;
    const label = canonicalLabel('emodb', emotion);
    if (!label) return `emotion letter ${emotion} is not one of W L E A F T N`;
    return {
      id: stemOf(rel),
      label,
      rawLabel: emotion,
      speaker,
      gender: info.gender,
      statement: textCode,
      meta: { version, age: info.age },
    };
  },
});
