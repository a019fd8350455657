import { join, posix } from 'node:path';
import { extensionOf, isAudioPath, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';
import type { CorpusItem, CorpusListing, CorpusLoader, CorpusProblem } from '../types.js';
import { headerColumns, parseCsv, readFirstLine } from './csv.js';
import { readTextFile } from './text.js';

/** MOSEI's six emotion columns, in the order ties are broken. */
export const MOSEI_EMOTIONS = ['happy', 'sad', 'anger', 'surprise', 'disgust', 'fear'] as const;
const VIDEO_COLUMNS = ['video_id', 'video', 'vid'];
const SEGMENT_COLUMNS = ['segment_id', 'segment', 'clip_id', 'clip'];
const START_COLUMNS = ['start', 'start_time'];
const END_COLUMNS = ['end', 'end_time'];
const SENTIMENT_COLUMNS = ['sentiment'];
const TEXT_COLUMNS = ['text', 'transcript', 'utterance'];

const pick = (columns: string[], names: string[]): string | undefined =>
  columns.find((c) => names.includes(c.toLowerCase()));

async function isLabelCsv(path: string): Promise<boolean> {
  try {
    const columns = headerColumns(await readFirstLine(path)).map((c) => c.toLowerCase());
    return MOSEI_EMOTIONS.every((e) => columns.includes(e)) && pick(columns, VIDEO_COLUMNS) !== undefined;
  } catch {
    return false;
  }
}

const csvFiles = (listing: CorpusListing): string[] =>
  listing.files.filter((f) => extensionOf(f) === 'csv' && f.split('/').length <= 3);

/**
 * CMU-MOSEI: multi-label emotion intensities (0-3) from a labels CSV with a video id column
 * (`video_id`/`video`), optional segment id (`segment_id`/`segment`/`clip_id`), `start`, `end` and
 * the six columns happy, sad, anger, surprise, disgust, fear, and optionally `sentiment` (in
 * [-3, 3], kept as `meta.sentiment`; empty = unknown) and a transcript (`text` / `transcript` /
 * `utterance`, kept as `text`). The label is the arg-max emotion
 * (ties broken in that column order, flagged `meta.tie`), or `neutral` when all six are zero;
 * the intensity vector is kept as `meta.intensities`. Audio is `<video>_<segment>.<ext>` or
 * `<segment>.<ext>`, else the whole `<video>.<ext>` with `start`/`end` (seconds). Speaker = video id.
 */
export const moseiLoader: CorpusLoader = {
  name: 'cmu-mosei',
  title: 'CMU-MOSEI',
  async detect(listing) {
    for (const rel of csvFiles(listing)) if (await isLabelCsv(join(listing.root, rel))) return 1;
    return 0;
  },
  async load(listing: CorpusListing) {
    const items: CorpusItem[] = [];
    const problems: CorpusProblem[] = [];
    const audio = new Map<string, string>();
    for (const rel of listing.files.filter(isAudioPath))
      if (!audio.has(stemOf(rel))) audio.set(stemOf(rel), rel);
    for (const rel of csvFiles(listing)) {
      const source = join(listing.root, rel);
      if (!(await isLabelCsv(source))) continue;
      let rows: Record<string, string>[];
      try {
        rows = parseCsv(await readTextFile(source));
      } catch (error) {
        problems.push({ source, problem: `label file unreadable (${(error as Error).message})` });
        continue;
      }
      const columns = Object.keys(rows[0] ?? {});
      const byLower = new Map(columns.map((c) => [c.toLowerCase(), c]));
      const videoColumn = pick(columns, VIDEO_COLUMNS)!;
      const segmentColumn = pick(columns, SEGMENT_COLUMNS);
      const startColumn = pick(columns, START_COLUMNS);
      const endColumn = pick(columns, END_COLUMNS);
      const sentimentColumn = pick(columns, SENTIMENT_COLUMNS);
      const textColumn = pick(columns, TEXT_COLUMNS);
      rows.forEach((row, index) => {
        const where = `${source}:${index + 2}`;
        const video = (row[videoColumn] ?? '').trim();
        const segment = segmentColumn ? (row[segmentColumn] ?? '').trim() : '';
        if (!video) {
          problems.push({ source: where, problem: 'empty video id' });
          return;
        }
        const intensities: Record<string, number> = {};
        for (const emotion of MOSEI_EMOTIONS) intensities[emotion] = Number(row[byLower.get(emotion)!]);
        const bad = MOSEI_EMOTIONS.find((e) => !Number.isFinite(intensities[e]) || intensities[e] < 0);
        if (bad) {
          problems.push({
            source: where,
            problem: `${bad} intensity "${row[byLower.get(bad)!]}" is not a number >= 0`,
          });
          return;
        }
        let raw = 'none';
        let best = 0;
        for (const emotion of MOSEI_EMOTIONS) {
          if (intensities[emotion] > best) {
            best = intensities[emotion];
            raw = emotion;
          }
        }
        const tie = best > 0 && MOSEI_EMOTIONS.filter((e) => intensities[e] === best).length > 1;
        const sentimentText = sentimentColumn ? (row[sentimentColumn] ?? '').trim() : '';
        const sentiment = sentimentText === '' ? undefined : Number(sentimentText);
        if (sentiment !== undefined && !(Number.isFinite(sentiment) && sentiment >= -3 && sentiment <= 3)) {
          problems.push({
            source: where,
            problem: `sentiment "${sentimentText}" is not a number in [-3, 3]`,
          });
          return;
        }
        const start = startColumn ? Number(row[startColumn]) : undefined;
        const end = endColumn ? Number(row[endColumn]) : undefined;
        const segmentAudio = segment
          ? (audio.get(`${video}_${segment}`) ?? (segment.startsWith(video) ? audio.get(segment) : undefined))
          : undefined;
        const videoAudio = segmentAudio ? undefined : audio.get(video);
        if (!segmentAudio && !videoAudio) {
          problems.push({
            source: where,
            problem: `no audio ${segment ? `${video}_${segment}` : video} (or ${video}) found`,
          });
          return;
        }
        if (videoAudio && !(Number.isFinite(start) && Number.isFinite(end) && end! > start! && start! >= 0)) {
          problems.push({
            source: where,
            problem: 'only the whole video audio exists and start/end are missing or invalid',
          });
          return;
        }
        items.push({
          path: join(listing.root, (segmentAudio ?? videoAudio)!),
          corpus: 'cmu-mosei',
          id: segment ? `${video}_${segment}` : `${video}@${start}`,
          label: canonicalLabel('cmu-mosei', raw)!,
          rawLabel: raw,
          speaker: video,
          ...(textColumn && (row[textColumn] ?? '').trim() ? { text: row[textColumn].trim() } : {}),
          ...(videoAudio ? { start, end } : {}),
          meta: {
            intensities,
            ...(sentiment !== undefined ? { sentiment } : {}),
            tie,
            video,
            ...(segment ? { segment } : {}),
            ...(Number.isFinite(start) ? { segmentStart: start! } : {}),
            ...(Number.isFinite(end) ? { segmentEnd: end! } : {}),
            labelFile: posix.basename(rel),
          },
        });
      });
    }
    return { items, problems };
  },
};
