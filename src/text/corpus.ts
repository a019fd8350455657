// Node-only: text corpora without media (MELD's three CSVs), as utterances with dialogue
// structure for the text models and the classical baseline.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
