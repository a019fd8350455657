import { join, posix } from 'node:path';
import { nameLoader, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';
import type { CorpusLoader, CorpusProblem } from '../types.js';
import { parseCsv } from './csv.js';
import { readTextFile } from './text.js';

const PATTERN = /^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})$/;
/** The twelve CREMA-D sentences, by code (CREMA-D README). */
const SENTENCES: Record<string, string> = {
  IEO: "It's eleven o'clock",
  TIE: 'That is exactly what happened',
  IOM: "I'm on my way to the meeting",
  IWW: 'I wonder what this is about',
  TAI: 'The airplane is almost full',
  MTI: 'Maybe tomorrow it will be cold',
  IWL: 'I would like a new alarm clock',
  ITH: "I think I have a doctor's appointment",
  DFA: "Don't forget a jacket",
  ITS: "I think I've seen this before",
  TSI: 'The surface is slick',
  WSI: "We'll stop in a couple of minutes",
};
const LEVELS: Record<string, string> = { LO: 'low', MD: 'medium', HI: 'high', XX: 'unspecified' };

const namesLoader = nameLoader({
  name: 'crema-d',
  title: 'CREMA-D',
  matches: (rel) => PATTERN.test(stemOf(rel)),
  parse(rel) {
    const [, actor, sentence, emotion, level] = PATTERN.exec(stemOf(rel))!;
    const actorNumber = Number(actor);
    if (actorNumber < 1001 || actorNumber > 1091) return `actor ${actor} is not 1001-1091`;
    if (!SENTENCES[sentence]) return `sentence code ${sentence} is not one of the 12 CREMA-D sentences`;
    const label = canonicalLabel('crema-d', emotion);
    if (!label) return `emotion ${emotion} is not ANG, DIS, FEA, HAP, NEU or SAD`;
    if (!LEVELS[level]) return `level ${level} is not LO, MD, HI or XX`;
    return {
      id: stemOf(rel),
      label,
      rawLabel: emotion,
      speaker: actor,
      text: SENTENCES[sentence],
      intensity: level,
      statement: sentence,
      meta: { intensityName: LEVELS[level] },
    };
  },
});

/** Actor id -> demographics row of CREMA-D's `VideoDemographics.csv`, when the tree has it. */
async function readDemographics(
  root: string,
  files: string[],
  problems: CorpusProblem[],
): Promise<Map<string, Record<string, string>>> {
  const actors = new Map<string, Record<string, string>>();
  const rel = files.find((f) => posix.basename(f) === 'VideoDemographics.csv');
  if (!rel) return actors;
  try {
    for (const row of parseCsv(await readTextFile(join(root, rel)))) {
      if (row.ActorID) actors.set(row.ActorID.trim(), row);
    }
  } catch (error) {
    problems.push({
      source: join(root, rel),
      problem: `demographics unreadable (${(error as Error).message})`,
    });
  }
  return actors;
}

/**
 * CREMA-D: `1001_DFA_ANG_XX.wav` = actor_sentence_emotion_level (LO, MD, HI, XX unspecified).
 * Actor ids 1001-1091. Gender is not in the names: it is read from the corpus's
 * `VideoDemographics.csv` (ActorID, Age, Sex, Race, Ethnicity) when that file is in the tree, and
 * left unset otherwise.
 */
export const cremadLoader: CorpusLoader = {
  name: namesLoader.name,
  title: namesLoader.title,
  detect: (listing) => namesLoader.detect(listing),
  async load(listing) {
    const { items, problems } = await namesLoader.load(listing);
    const actors = await readDemographics(listing.root, listing.files, problems);
    for (const item of items) {
      const row = actors.get(item.speaker);
      if (!row) continue;
      const sex = (row.Sex ?? '').trim().toLowerCase();
      if (sex === 'male' || sex === 'female') item.gender = sex;
      if (row.Age) item.meta.age = Number(row.Age);
      if (row.Race) item.meta.race = row.Race.trim();
      if (row.Ethnicity) item.meta.ethnicity = row.Ethnicity.trim();
    }
    return { items, problems };
  },
};
