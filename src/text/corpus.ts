// Node-only: text corpora without media (MELD's three CSVs), as utterances with dialogue
// structure for the text models and the classical baseline.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseCsv } from '../corpora/loaders/csv.js';
import { readTextFile } from '../corpora/loaders/text.js';
import { canonicalLabel } from '../corpora/taxonomy.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import type { DialogueTurn } from './context.js';

/** One labelled utterance of a text corpus. */
export interface TextItem extends DialogueTurn {
  /** Unique id, e.g. `train/dia0_utt3`. */
  id: string;
  /** Canonical emotion label (src/corpora/taxonomy.ts), e.g. `happy` for MELD's `joy`. */
  label: string;
  /** The corpus's own label, e.g. `joy`. */
  rawLabel: string;
  /** `train`, `dev` or `test` (MELD's official split). */
  split: string;
  /** MELD's Sentiment column (positive / negative / neutral). */
  sentiment?: string;
  /** Absolute path of the utterance's audio (paired manifests; absent = no audio). */
  audio?: string;
}

/** What {@link loadMeldText} returns: the items and the rows it could not use. */
export interface TextCorpus {
  items: TextItem[];
  problems: Array<{ source: string; problem: string }>;
}

/** MELD's split files. */
export const MELD_SPLITS = ['train', 'dev', 'test'] as const;

/**
 * Reads MELD's `train_sent_emo.csv`, `dev_sent_emo.csv` and `test_sent_emo.csv` (no media
 * needed): one item per row with the utterance text as MELD wrote it (normalisation is the
 * tokenizers' job), canonical label, speaker, dialogue `split/Dialogue_ID` and turn
 * `Utterance_ID`. Rows with an unknown emotion or missing ids are reported in `problems`.
 * @param dir - folder holding the three CSVs (e.g. `../shared/data/meld-text`).
 * @throws EmovoxInputError(dir, problem) when none of the three files is there.
 */
export async function loadMeldText(dir: string): Promise<TextCorpus> {
  const items: TextItem[] = [];
  const problems: TextCorpus['problems'] = [];
  const present = MELD_SPLITS.filter((s) => existsSync(join(dir, `${s}_sent_emo.csv`)));
  if (present.length === 0)
    throw new EmovoxInputError(dir, 'no MELD train_sent_emo.csv / dev_sent_emo.csv / test_sent_emo.csv');
  for (const split of present) {
    const source = join(dir, `${split}_sent_emo.csv`);
    let rows: Record<string, string>[];
    try {
      rows = parseCsv(await readTextFile(source));
    } catch (error) {
      problems.push({ source, problem: `unreadable (${errorMessage(error)})` });
      continue;
    }
    rows.forEach((row, index) => {
      const where = `${source}:${index + 2}`;
      const dialogue = (row.Dialogue_ID ?? '').trim();
      const utterance = (row.Utterance_ID ?? '').trim();
      if (!/^\d+$/.test(dialogue) || !/^\d+$/.test(utterance)) {
        problems.push({ source: where, problem: 'Dialogue_ID / Utterance_ID missing or not a number' });
        return;
      }
      const raw = (row.Emotion ?? '').trim();
      const label = canonicalLabel('meld', raw);
      if (!label) {
        problems.push({ source: where, problem: `emotion "${raw}" is not a MELD emotion` });
        return;
      }
      items.push({
        id: `${split}/dia${dialogue}_utt${utterance}`,
        split,
        dialogue: `${split}/${dialogue}`,
        turn: Number(utterance),
        text: row.Utterance ?? '',
        speaker: (row.Speaker ?? '').trim(),
        label,
        rawLabel: raw,
        sentiment: (row.Sentiment ?? '').trim(),
      });
    });
  }
  return { items, problems };
}

/** Splits a paired manifest may use. */
export const MANIFEST_SPLITS = ['train', 'dev', 'test'] as const;

/**
 * Reads a paired audio + text manifest: a CSV with columns `split` (`train`, `dev` or `test`),
 * `label`, `text` (the transcript; empty = text missing), `audio` (a file path relative to the
 * CSV's folder, or absolute; empty = audio missing), and optional `id` (default `split/row`),
 * `dialogue` (default: the item alone), `turn` (default: the row number) and `speaker`. Labels
 * are used as written (trimmed). A row with an unknown split, no label, or neither text nor
 * audio is reported in `problems`; a named audio file that does not exist is reported and the
 * item kept without audio (so one missing file never loses the rest).
 * @param path - the manifest CSV.
 * @throws EmovoxInputError(path, problem) when it cannot be read or lacks a required column.
 */
export async function loadPairedManifest(path: string): Promise<TextCorpus> {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(await readTextFile(path));
  } catch (error) {
    throw new EmovoxInputError(path, `unreadable manifest (${errorMessage(error)})`);
  }
  if (rows.length === 0) throw new EmovoxInputError(path, 'manifest has no rows');
  for (const column of ['split', 'label'])
    if (!(column in rows[0])) throw new EmovoxInputError(path, `manifest has no "${column}" column`);
  if (!('text' in rows[0]) && !('audio' in rows[0]))
    throw new EmovoxInputError(path, 'manifest needs a "text" or an "audio" column');
  const base = dirname(resolve(path));
  const items: TextItem[] = [];
  const problems: TextCorpus['problems'] = [];
  rows.forEach((row, index) => {
    const where = `${path}:${index + 2}`;
    const split = (row.split ?? '').trim();
    if (!(MANIFEST_SPLITS as readonly string[]).includes(split)) {
      problems.push({ source: where, problem: `split "${split}" is not train, dev or test` });
      return;
    }
    const label = (row.label ?? '').trim();
    if (label === '') {
      problems.push({ source: where, problem: 'no label' });
      return;
    }
    const text = row.text ?? '';
    const audioField = (row.audio ?? '').trim();
    if (text.trim() === '' && audioField === '') {
      problems.push({ source: where, problem: 'neither text nor audio' });
      return;
    }
    const id = (row.id ?? '').trim() || `${split}/${index + 2}`;
    const item: TextItem = {
      id,
      split,
      dialogue: (row.dialogue ?? '').trim() || `item:${id}`,
      turn: /^-?\d+$/.test((row.turn ?? '').trim()) ? Number(row.turn) : index,
      text,
      speaker: (row.speaker ?? '').trim(),
      label,
      rawLabel: label,
    };
    if (audioField !== '') {
      const audio = isAbsolute(audioField) ? audioField : join(base, audioField);
      if (existsSync(audio)) item.audio = audio;
      else
        problems.push({ source: where, problem: `audio file ${audio} not found; item kept without audio` });
    }
    items.push(item);
  });
  return { items, problems };
}
