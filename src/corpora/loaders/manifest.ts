import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { EmovoxInputError } from '../../util/errors.js';
import { extensionOf } from '../files.js';
import { genericLabel } from '../taxonomy.js';
import type { CorpusItem, CorpusListing, CorpusLoader, CorpusProblem, MetaValue } from '../types.js';
import { headerColumns, parseCsv, readFirstLine } from './csv.js';
import { readTextFile } from './text.js';

const PATH_KEYS = ['path', 'file', 'filename', 'wav', 'audio'];
const LABEL_KEYS = ['label', 'emotion'];
const KNOWN_FIELDS = new Set(['speaker', 'text', 'gender', 'session', 'split', 'intensity', 'statement']);

const findKey = (keys: string[], names: string[]): string | undefined =>
  keys.find((k) => names.includes(k.trim().toLowerCase()));

/** True when a top-level `.csv`/`.jsonl` file has a path column and a label column. */
export async function isManifestFile(path: string): Promise<boolean> {
  const ext = extensionOf(path);
  if (ext !== 'csv' && ext !== 'jsonl') return false;
  try {
    const first = await readFirstLine(path);
    const keys = ext === 'csv' ? headerColumns(first) : Object.keys(JSON.parse(first) as object);
    return findKey(keys, PATH_KEYS) !== undefined && findKey(keys, LABEL_KEYS) !== undefined;
  } catch {
    return false;
  }
}

async function readRecords(path: string): Promise<Record<string, unknown>[]> {
  const text = await readTextFile(path);
  if (extensionOf(path) === 'csv') return parseCsv(text);
  const records: Record<string, unknown>[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new Error('not an object');
      records.push(value as Record<string, unknown>);
    } catch (error) {
      throw new EmovoxInputError(`${path}:${index + 1}`, `not a JSON object (${(error as Error).message})`);
    }
  });
  return records;
}

/**
 * Reads one manifest file (`path,label[,speaker,text,gender,session,split,...]` CSV with a header, or
 * JSONL with the same keys; `file`/`filename`/`wav`/`audio` and `emotion` are accepted as the
 * path and label keys). Paths are relative to the manifest's folder. Other columns go to `meta`.
 * Rows with a missing file or an empty label are reported as problems.
 *
 * @param manifestPath the `.csv` or `.jsonl` file
 */
export async function loadManifestFile(
  manifestPath: string,
): Promise<{ items: CorpusItem[]; problems: CorpusProblem[] }> {
  const items: CorpusItem[] = [];
  const problems: CorpusProblem[] = [];
  let records: Record<string, unknown>[];
  try {
    records = await readRecords(manifestPath);
  } catch (error) {
    const problem =
      error instanceof EmovoxInputError ? error.message : `unreadable (${(error as Error).message})`;
    return { items, problems: [{ source: manifestPath, problem }] };
  }
  const base = dirname(manifestPath);
  const keys = Object.keys(records[0] ?? {});
  const pathKey = findKey(keys, PATH_KEYS);
  const labelKey = findKey(keys, LABEL_KEYS);
  if (!pathKey || !labelKey) {
    return { items, problems: [{ source: manifestPath, problem: 'needs a path column and a label column' }] };
  }
  await Promise.all(
    records.map(async (record, index) => {
      const where = `${manifestPath}:${index + (extensionOf(manifestPath) === 'csv' ? 2 : 1)}`;
      const file = String(record[pathKey] ?? '').trim();
      const raw = String(record[labelKey] ?? '').trim();
      if (file === '' || raw === '') {
        problems.push({ source: where, problem: 'empty path or label' });
        return;
      }
      const path = isAbsolute(file) ? file : resolve(base, file);
      try {
        if (!(await stat(path)).isFile()) throw new Error('not a file');
      } catch {
        problems.push({ source: where, problem: `audio file ${file} not found` });
        return;
      }
      const meta: Record<string, MetaValue> = {};
      const fields: Partial<CorpusItem> = {};
      for (const [key, value] of Object.entries(record)) {
        if (key === pathKey || key === labelKey || value === undefined || value === null || value === '')
          continue;
        const lower = key.toLowerCase();
        if (KNOWN_FIELDS.has(lower)) {
          const text = String(value).trim();
          if (lower === 'gender') {
            const g = text.toLowerCase();
            if (g === 'f' || g === 'female') fields.gender = 'female';
            else if (g === 'm' || g === 'male') fields.gender = 'male';
            else meta.gender = text;
          } else (fields as Record<string, string>)[lower] = text;
        } else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
          meta[key] = value;
        } else meta[key] = JSON.stringify(value);
      }
      items.push({
        ...fields,
        path,
        corpus: 'manifest',
        id: path,
        label: genericLabel(raw),
        rawLabel: raw,
        speaker: fields.speaker ?? '',
        meta: { ...meta, manifest: posix.basename(manifestPath.replace(/\\/g, '/')), row: index },
      });
    }),
  );
  items.sort((a, b) => (a.meta.row as number) - (b.meta.row as number));
  return { items, problems };
}

const topLevelCandidates = (listing: CorpusListing): string[] =>
  listing.files.filter((f) => !f.includes('/') && (extensionOf(f) === 'csv' || extensionOf(f) === 'jsonl'));

/**
 * Generic manifest form: every top-level `.csv`/`.jsonl` of the directory with a path and a label
 * column (see `loadManifestFile`). Scores 0.95 when one exists: a manifest the user wrote wins
 * over guessing from names, except against a perfect named-corpus match.
 */
export const manifestLoader: CorpusLoader = {
  name: 'manifest',
  title: 'CSV/JSONL manifest',
  async detect(listing) {
    for (const rel of topLevelCandidates(listing))
      if (await isManifestFile(join(listing.root, rel))) return 0.95;
    return 0;
  },
  async load(listing) {
    const items: CorpusItem[] = [];
    const problems: CorpusProblem[] = [];
    for (const rel of topLevelCandidates(listing)) {
      const path = join(listing.root, rel);
      if (!(await isManifestFile(path))) continue;
      const loaded = await loadManifestFile(path);
      items.push(...loaded.items);
      problems.push(...loaded.problems);
    }
    return { items, problems };
  },
};
