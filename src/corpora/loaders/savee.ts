import { nameLoader, parentName, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';

const SPEAKERS = new Set(['DC', 'JE', 'JK', 'KL']);
const FLAT = /^(DC|JE|JK|KL)_(a|d|f|h|n|sa|su)(\d{2})$/;
const IN_FOLDER = /^(a|d|f|h|n|sa|su)(\d{2})$/;

function split(rel: string): { speaker: string; code: string; number: string } | undefined {
  const stem = stemOf(rel);
  const flat = FLAT.exec(stem);
  if (flat) return { speaker: flat[1], code: flat[2], number: flat[3] };
  const inFolder = IN_FOLDER.exec(stem);
  if (inFolder && SPEAKERS.has(parentName(rel)))
    return { speaker: parentName(rel), code: inFolder[1], number: inFolder[2] };
  return undefined;
}

/**
 * SAVEE: four male speakers DC, JE, JK, KL. Original layout `AudioData/DC/sa01.wav` (speaker
 * from the folder), Kaggle flat layout `ALL/DC_sa01.wav`. Codes a anger, d disgust, f fear,
 * h happiness, n neutral, sa sadness, su surprise, followed by the sentence number.
 */
export const saveeLoader = nameLoader({
  name: 'savee',
  title: 'SAVEE',
  matches: (rel) => split(rel) !== undefined,
  parse(rel) {
    const { speaker, code, number } = split(rel)!;
    return {
      id: `${speaker}_${code}${number}`,
      label: canonicalLabel('savee', code)!,
      rawLabel: code,
      speaker,
      gender: 'male',
      statement: number,
      meta: {},
    };
  },
});
