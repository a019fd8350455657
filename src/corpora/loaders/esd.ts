import { join, posix } from 'node:path';
import { isAudioPath, sampleEvenly, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';
import type { CorpusItem, CorpusListing, CorpusLoader, CorpusProblem } from '../types.js';
import { readTextFile } from './text.js';

const NAME = /^(\d{4})_(\d{6})$/;
const EMOTIONS = new Set(['Angry', 'Happy', 'Neutral', 'Sad', 'Surprise']);
const SPLITS = new Set(['train', 'test', 'evaluation']);

function emotionFolder(rel: string): string | undefined {
  return posix
    .dirname(rel)
    .split('/')
    .reverse()
    .find((part) => EMOTIONS.has(part));
}

/**
 * ESD (Emotional Speech Dataset): `0011/Angry/0011_000351.wav` (optionally with a
 * `train`/`evaluation`/`test` folder below the emotion), the label from the emotion folder,
 * the speaker from the name. Speakers 0001-0010 speak Mandarin, 0011-0020 English.
 * Transcripts come from `<spk>/<spk>.txt` lines `0011_000351<TAB>text<TAB>emotion`.
 */
export const esdLoader: CorpusLoader = {
  name: 'esd',
  title: 'ESD',
  detect(listing) {
    const sample = sampleEvenly(listing.files.filter(isAudioPath));
    if (sample.length === 0) return 0;
    return (
      sample.filter((f) => NAME.test(stemOf(f)) && emotionFolder(f) !== undefined).length / sample.length
    );
  },
  async load(listing: CorpusListing) {
    const items: CorpusItem[] = [];
    const problems: CorpusProblem[] = [];
    const transcripts = new Map<string, { text: string; emotion: string }>();
    for (const rel of listing.files) {
      const base = posix.basename(rel);
      const speaker = /^(\d{4})\.txt$/.exec(base)?.[1];
      if (!speaker) continue;
      try {
        for (const line of (await readTextFile(join(listing.root, rel))).split(/\r?\n/)) {
          const [id, text, emotion] = line.split('\t');
          if (id && text !== undefined && NAME.test(id.trim())) {
            transcripts.set(id.trim(), { text: text.trim(), emotion: (emotion ?? '').trim() });
          }
        }
      } catch (error) {
        problems.push({
          source: join(listing.root, rel),
          problem: `transcript unreadable (${(error as Error).message})`,
        });
      }
    }
    for (const rel of listing.files.filter(isAudioPath)) {
      const source = join(listing.root, rel);
      const match = NAME.exec(stemOf(rel));
      if (!match) {
        problems.push({ source, problem: 'name does not follow the ESD code <speaker>_<utterance>' });
        continue;
      }
      const [, speaker, utterance] = match;
      const emotion = emotionFolder(rel);
      if (!emotion) {
        problems.push({
          source,
          problem: 'not inside an emotion folder (Angry, Happy, Neutral, Sad, Surprise)',
        });
        continue;
      }
      const speakerFolder = posix
        .dirname(rel)
        .split('/')
        .find((part) => /^\d{4}$/.test(part));
      if (speakerFolder && speakerFolder !== speaker) {
        problems.push({
          source,
          problem: `speaker ${speaker} in the name but inside folder ${speakerFolder}`,
        });
        continue;
      }
      const speakerNumber = Number(speaker);
      if (speakerNumber < 1 || speakerNumber > 20) {
        problems.push({ source, problem: `speaker ${speaker} is not 0001-0020` });
        continue;
      }
      const splitFolder = posix.basename(posix.dirname(rel));
      const transcript = transcripts.get(stemOf(rel));
      items.push({
        path: source,
        corpus: 'esd',
        id: stemOf(rel),
        label: canonicalLabel('esd', emotion)!,
        rawLabel: emotion,
        speaker,
        ...(transcript ? { text: transcript.text } : {}),
        ...(SPLITS.has(splitFolder) ? { split: splitFolder } : {}),
        meta: {
          utterance,
          language: speakerNumber <= 10 ? 'zh' : 'en',
          ...(transcript?.emotion ? { transcriptEmotion: transcript.emotion } : {}),
        },
      });
    }
    return { items, problems };
  },
};
