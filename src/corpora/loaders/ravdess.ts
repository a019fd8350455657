import { extensionOf, nameLoader, parentName, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';

const PATTERN = /^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/;
const MODALITY: Record<string, string> = { '01': 'full-AV', '02': 'video-only', '03': 'audio-only' };
const VOCAL_CHANNEL: Record<string, string> = { '01': 'speech', '02': 'song' };
const STATEMENT_TEXT: Record<string, string> = {
  '01': 'Kids are talking by the door',
  '02': 'Dogs are sitting by the door',
};

/**
 * RAVDESS (speech and song, any modality): `03-01-05-01-02-01-12.wav` =
 * modality-vocal channel-emotion-intensity-statement-repetition-actor. Odd actors are male.
 * Video-only files (modality 02) have no audio and are reported; full-AV `.mp4` files are listed.
 */
export const ravdessLoader = nameLoader({
  name: 'ravdess',
  title: 'RAVDESS',
  extraExtensions: ['mp4'],
  matches: (rel) => PATTERN.test(stemOf(rel)),
  parse(rel) {
    const [, modality, channel, emotion, intensity, statement, repetition, actor] = PATTERN.exec(
      stemOf(rel),
    )!;
    if (!MODALITY[modality]) return `modality ${modality} is not 01, 02 or 03`;
    if (modality === '02') return 'video-only file (modality 02) has no audio';
    if (extensionOf(rel) === 'mp4' && modality !== '01') return `.mp4 file with modality ${modality}`;
    if (!VOCAL_CHANNEL[channel]) return `vocal channel ${channel} is not 01 (speech) or 02 (song)`;
    const label = canonicalLabel('ravdess', emotion);
    if (!label) return `emotion ${emotion} is not 01-08`;
    if (intensity !== '01' && intensity !== '02') return `intensity ${intensity} is not 01 or 02`;
    if (intensity === '02' && emotion === '01') return 'neutral has no strong intensity (02) in RAVDESS';
    if (!STATEMENT_TEXT[statement]) return `statement ${statement} is not 01 or 02`;
    if (repetition !== '01' && repetition !== '02') return `repetition ${repetition} is not 01 or 02`;
    const actorNumber = Number(actor);
    if (actorNumber < 1 || actorNumber > 24) return `actor ${actor} is not 01-24`;
    const folder = /^Actor_(\d+)$/i.exec(parentName(rel));
    if (folder && Number(folder[1]) !== actorNumber)
      return `actor ${actor} in the name but folder ${parentName(rel)}`;
    return {
      id: stemOf(rel),
      label,
      rawLabel: emotion,
      speaker: `Actor_${actor}`,
      gender: actorNumber % 2 === 1 ? 'male' : 'female',
      text: STATEMENT_TEXT[statement],
      intensity,
      statement,
      meta: {
        modality: MODALITY[modality],
        vocalChannel: VOCAL_CHANNEL[channel],
        repetition,
        actor: actorNumber,
        intensityName: intensity === '01' ? 'normal' : 'strong',
      },
    };
  },
});
