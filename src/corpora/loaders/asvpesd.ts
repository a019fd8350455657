import { nameLoader, parentName, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';

const PATTERN = /^\d{2}(?:-\d{2}){7,9}$/;
const VOCAL_CHANNEL: Record<string, string> = { '01': 'speech', '02': 'non-speech' };
const AGE: Record<string, string> = { '01': 'above 65', '02': '20-64', '03': 'under 20', '04': 'baby' };
const INTENSITY: Record<string, string> = { '01': 'normal', '02': 'high' };
/** What the trailing similarity code means when it marks a recording condition rather than a sub-sound. */
const CONDITION: Record<string, string> = { '77': 'high-noise environment', '66': 'mixed voices' };

/**
 * ASVP-ESD: `03-01-06-01-02-12-02-01-01-16.wav`, documented (Zenodo README) as modality-vocal
 * channel (01 speech, 02 non-speech)-emotion-intensity-statement-actor-age-source-language-
 * similarity code. Even actors are male, odd female. Emotions 01 boredom/sigh, 02 neutral/calm,
 * 03 happy/laugh, 04 sad/cry, 05 angry/grunt/frustration, 06 fearful/scream/panic,
 * 07 disgust/dislike/contempt, 08 surprised/gasp/amazed, 09 excited, 10 pleasure, 11 pain/groan,
 * 12 disappointment/disapproval, 13 breath. Some files have fewer trailing fields (no language);
 * 8 to 10 fields are read, and `77`/`66` as the last field flag noisy / mixed-voice recordings.
 */
export const asvpEsdLoader = nameLoader({
  name: 'asvp-esd',
  title: 'ASVP-ESD',
  matches: (rel) => PATTERN.test(stemOf(rel)),
  parse(rel) {
    const fields = stemOf(rel).split('-');
    const [modality, channel, emotion, intensity, statement, actor, age, source, language, similarity] =
      fields;
    if (!VOCAL_CHANNEL[channel]) return `vocal channel ${channel} is not 01 (speech) or 02 (non-speech)`;
    const label = canonicalLabel('asvp-esd', emotion);
    if (!label) return `emotion ${emotion} is not 01-13`;
    const actorNumber = Number(actor);
    if (actorNumber < 1) return `actor ${actor} is not a positive number`;
    const last = fields.length >= 9 ? fields[fields.length - 1] : undefined;
    const meta: Record<string, string | number> = {
      modality,
      vocalChannel: VOCAL_CHANNEL[channel],
      actor: actorNumber,
      age,
      ageGroup: AGE[age] ?? 'undocumented code',
      source,
      folder: parentName(rel),
    };
    if (language !== undefined) meta.language = language;
    if (similarity !== undefined) meta.similarity = similarity;
    if (last && CONDITION[last]) meta.condition = CONDITION[last];
    return {
      id: stemOf(rel),
      label,
      rawLabel: emotion,
      speaker: `actor_${actor}`,
      gender: actorNumber % 2 === 0 ? 'male' : 'female',
      intensity,
      statement,
      meta: { ...meta, intensityName: INTENSITY[intensity] ?? 'undocumented code' },
    };
  },
});
