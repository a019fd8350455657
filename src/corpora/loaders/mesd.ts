import { nameLoader, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';

const PATTERN = /^(Anger|Disgust|Fear|Happiness|Neutral|Sadness)_([FMC])_([AB])_(.+)$/i;
const VOICE: Record<string, string> = { F: 'female adult', M: 'male adult', C: 'child' };

/**
 * MESD (Mexican Emotional Speech Database): `Anger_C_A_abajo.wav` =
 * emotion_voice type (F female adult, M male adult, C child)_word corpus (A or B)_word.
 * The names carry the voice type but not the individual (3 female, 2 male, 6 child voices),
 * so `speaker` is the voice group `F`, `M` or `C`: splits by speaker keep voice groups apart
 * but cannot separate individuals within a group.
 */
export const mesdLoader = nameLoader({
  name: 'mesd',
  title: 'MESD',
  matches: (rel) => PATTERN.test(stemOf(rel)),
  parse(rel) {
    const [, emotionRaw, voice, wordCorpus, word] = PATTERN.exec(stemOf(rel))!;
    const emotion = emotionRaw[0].toUpperCase() + emotionRaw.slice(1).toLowerCase();
    const voiceType = voice.toUpperCase();
    const label = canonicalLabel('mesd', emotion);
    if (!label) return `emotion ${emotionRaw} is not known`;
    return {
      id: stemOf(rel),
      label,
      rawLabel: emotion,
      speaker: voiceType,
      gender: voiceType === 'F' ? 'female' : voiceType === 'M' ? 'male' : undefined,
      text: word.replace(/_/g, ' '),
      meta: { voiceType: VOICE[voiceType], wordCorpus: wordCorpus.toUpperCase(), speakerIsVoiceGroup: true },
    };
  },
});
