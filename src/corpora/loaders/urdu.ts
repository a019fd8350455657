import { genderFromLetter, nameLoader, parentName, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';

const FOLDERS = ['angry', 'happy', 'neutral', 'sad'];
const PATTERN = /^S([MF])(\d+)_F(\d+)_([A-Z])(\d+)$/;

/**
 * URDU: `SM1_F01_A12.wav` = S + gender (M/F) + speaker number, file number, emotion letter
 * (A angry, H happy, N neutral, S sad) + running number. The speaker id is the first part (`SM1`).
 */
export const urduLoader = nameLoader({
  name: 'urdu',
  title: 'URDU',
  matches: (rel) => PATTERN.test(stemOf(rel)),
  parse(rel) {
    const [, gender, speakerNumber, fileNumber, emotion, running] = PATTERN.exec(stemOf(rel))!;
    const label = canonicalLabel('urdu', emotion);
    if (!label) return `emotion letter ${emotion} is not A, H, N or S`;
    const folder = parentName(rel).toLowerCase();
    if (FOLDERS.includes(folder) && folder !== label)
      return `emotion letter ${emotion} (${label}) but folder ${parentName(rel)}`;
    return {
      id: stemOf(rel),
      label,
      rawLabel: emotion,
      speaker: `S${gender}${speakerNumber}`,
      gender: genderFromLetter(gender),
      meta: { fileNumber, runningNumber: running },
    };
  },
});
