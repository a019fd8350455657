import { join, posix } from 'node:path';
import { extensionOf, isAudioPath, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';
import type { CorpusItem, CorpusListing, CorpusLoader, CorpusProblem } from '../types.js';
import { parseCsv } from './csv.js';
import { readTextFile } from './text.js';

const LABEL_FILE = /^(train|dev|test)_sent_emo\.csv$/;
/** MELD's media folder for each split. */
const MEDIA_FOLDERS: Record<string, string> = {
  train_splits: 'train',
  dev_splits_complete: 'dev',
  output_repeated_splits_test: 'test',
};
const MEDIA_STEM = /(dia\d+_utt\d+)$/;

/** Split of a media file from its nearest MELD media folder. */
function mediaSplit(rel: string): string | undefined {
  const folder = posix
    .dirname(rel)
    .split('/')
    .reverse()
    .find((part) => Object.hasOwn(MEDIA_FOLDERS, part));
  return folder ? MEDIA_FOLDERS[folder] : undefined;
}

/**
 * MELD: labels from `train_sent_emo.csv`, `dev_sent_emo.csv`, `test_sent_emo.csv`, media
 * `dia{D}_utt{U}.mp4` in `train_splits`, `dev_splits_complete`, `output_repeated_splits_test`.
 * An audio file with the same stem (e.g. a `.wav` extracted by the user) is preferred to the `.mp4`;
 * `.mp4` items need ffmpeg to decode. Speaker is the character name; `split` is the MELD split.
 */
export const meldLoader: CorpusLoader = {
  name: 'meld',
  title: 'MELD',
  detect(listing) {
    return listing.files.some((f) => LABEL_FILE.test(posix.basename(f))) ? 1 : 0;
  },
  async load(listing: CorpusListing) {
    const items: CorpusItem[] = [];
    const problems: CorpusProblem[] = [];
    const media = new Map<string, string>();
    for (const rel of listing.files) {
      if (!isAudioPath(rel) && extensionOf(rel) !== 'mp4') continue;
      const split = mediaSplit(rel);
      const key = MEDIA_STEM.exec(stemOf(rel))?.[1];
      if (!split || !key) continue;
      const previous = media.get(`${split}/${key}`);
      if (!previous || (extensionOf(previous) === 'mp4' && isAudioPath(rel)))
        media.set(`${split}/${key}`, rel);
    }
    for (const rel of listing.files.filter((f) => LABEL_FILE.test(posix.basename(f)))) {
      const split = LABEL_FILE.exec(posix.basename(rel))![1];
      const source = join(listing.root, rel);
      let rows: Record<string, string>[];
      try {
        rows = parseCsv(await readTextFile(source));
      } catch (error) {
        problems.push({ source, problem: `label file unreadable (${(error as Error).message})` });
        continue;
      }
      rows.forEach((row, index) => {
        const where = `${source}:${index + 2}`;
        const emotion = (row.Emotion ?? '').trim();
        const dialogue = (row.Dialogue_ID ?? '').trim();
        const utterance = (row.Utterance_ID ?? '').trim();
        if (!/^\d+$/.test(dialogue) || !/^\d+$/.test(utterance)) {
          problems.push({ source: where, problem: 'Dialogue_ID / Utterance_ID missing or not a number' });
          return;
        }
        const label = canonicalLabel('meld', emotion);
        if (!label) {
          problems.push({ source: where, problem: `emotion "${emotion}" is not a MELD emotion` });
          return;
        }
        const key = `dia${dialogue}_utt${utterance}`;
        const mediaRel = media.get(`${split}/${key}`);
        if (!mediaRel) {
          problems.push({
            source: where,
            problem: `no media ${key}.mp4 (or audio) in the ${split} media folder`,
          });
          return;
        }
        items.push({
          path: join(listing.root, mediaRel),
          corpus: 'meld',
          id: `${split}/${key}`,
          label,
          rawLabel: emotion,
          speaker: (row.Speaker ?? '').trim(),
          text: (row.Utterance ?? '').trim(),
          split,
          meta: {
            sentiment: (row.Sentiment ?? '').trim(),
            dialogueId: Number(dialogue),
            utteranceId: Number(utterance),
            season: Number(row.Season),
            episode: Number(row.Episode),
            startTime: (row.StartTime ?? '').trim(),
            endTime: (row.EndTime ?? '').trim(),
            srNo: Number(row['Sr No.']),
            needsFfmpeg: extensionOf(mediaRel) === 'mp4',
          },
        });
      });
    }
    return { items, problems };
  },
};
