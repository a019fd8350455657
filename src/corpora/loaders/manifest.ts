import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, resolve, sep } from 'node:path';
import { fileKind } from '../../util/atomic-file.js';
import { EmovoxInputError } from '../../util/errors.js';
import { extensionOf } from '../files.js';
import { genericLabel } from '../taxonomy.js';
import type { CorpusItem, CorpusListing, CorpusLoader, CorpusProblem, MetaValue } from '../types.js';
import { headerColumns, parseCsvRecords, readFirstLine } from './csv.js';
import { MAX_TEXT_FILE_BYTES } from './text.js';

const PATH_KEYS = ['path', 'file', 'filename', 'wav', 'audio'];
const LABEL_KEYS = ['label', 'emotion'];
const KNOWN_FIELDS = new Set(['speaker', 'text', 'gender', 'session', 'split', 'intensity', 'statement']);

const findKey = (keys: string[], names: string[]): string | undefined =>
  keys.find((k) => names.includes(k.trim().toLowerCase()));

/** Options of {@link loadManifestFile}. */
export interface ManifestOptions {
  /**
   * Accept item paths that resolve outside the manifest's folder (`../x.wav`, `/data/x.wav`, or a
   * symbolic link pointing out of it). Default false: such rows are problems, so a manifest cannot
   * make emovox read `/etc/shadow` or `/proc/self/environ` as audio.
   */
  readonly allowOutsideRoot?: boolean;
}

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

/**
 * A manifest's text: UTF-8 (BOM stripped), or UTF-16 when it starts with a UTF-16 byte-order
 * mark or looks like UTF-16 (every other byte zero), as Windows tools often write them.
 * @throws EmovoxInputError for an empty, oversized or undecodable file.
 */
export async function readManifestText(path: string): Promise<string> {
  const bytes = await readFile(path);
  if (bytes.length === 0) throw new EmovoxInputError(path, 'empty manifest file');
  if (bytes.length > MAX_TEXT_FILE_BYTES) {
    throw new EmovoxInputError(path, `manifest larger than ${MAX_TEXT_FILE_BYTES} bytes`);
  }
  let encoding = 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  else if (bytes.length >= 4 && bytes[1] === 0 && bytes[3] === 0 && bytes[0] !== 0) encoding = 'utf-16le';
  else if (bytes.length >= 4 && bytes[0] === 0 && bytes[2] === 0 && bytes[1] !== 0) encoding = 'utf-16be';
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new EmovoxInputError(path, `manifest is not valid ${encoding.toUpperCase()} text`);
  }
  text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (text.trim() === '') throw new EmovoxInputError(path, 'empty manifest file (no header, no rows)');
  return text;
}

/** Rows of a manifest with the line each came from; unparseable lines become problems. */
async function readRows(
  path: string,
  problems: CorpusProblem[],
): Promise<{ line: number; record: Record<string, unknown> }[]> {
  const text = await readManifestText(path);
  if (extensionOf(path) === 'csv') {
    return parseCsvRecords(text, (line, problem) =>
      problems.push({ source: `${path}:${line}`, problem, failed: true }),
    );
  }
  const rows: { line: number; record: Record<string, unknown> }[] = [];
  text.split(/\r?\n/).forEach((text, index) => {
    if (text.trim() === '') return;
    try {
      const value: unknown = JSON.parse(text);
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new Error('not an object');
      rows.push({ line: index + 1, record: value as Record<string, unknown> });
    } catch (error) {
      problems.push({
        source: `${path}:${index + 1}`,
        problem: `not a JSON object (${(error as Error).message}); line skipped`,
        failed: true,
      });
    }
  });
  return rows;
}

function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);
}

/**
 * Reads one manifest file (`path,label[,speaker,text,gender,session,split,...]` CSV with a header, or
 * JSONL with the same keys; `file`/`filename`/`wav`/`audio` and `emotion` are accepted as the
 * path and label keys). Paths are relative to the manifest's folder and must stay inside it
 * (after resolving `..` and symbolic links) unless `allowOutsideRoot`. Other columns go to `meta`.
 *
 * Every unusable row is a problem naming its line (`manifest.csv:7`) and the others are kept: a
 * line that does not parse, an empty path or label, a missing file or one that is not a regular
 * file, a path outside the folder, and rows that give one file two different labels (all of
 * that file's rows are left out: emovox never picks a label). Row problems carry `failed: true`.
 *
 * @param manifestPath the `.csv` or `.jsonl` file
 * @param options `allowOutsideRoot` (default false)
 * @throws EmovoxInputError when the manifest as a whole cannot be used: unreadable, empty, not
 *   text, or without a path column or a label column (the message names the missing column and
 *   lists the columns found).
 */
export async function loadManifestFile(
  manifestPath: string,
  options: ManifestOptions = {},
): Promise<{ items: CorpusItem[]; problems: CorpusProblem[] }> {
  const items: CorpusItem[] = [];
  const problems: CorpusProblem[] = [];
  let rows: { line: number; record: Record<string, unknown> }[];
  try {
    rows = await readRows(manifestPath, problems);
  } catch (error) {
    if (error instanceof EmovoxInputError) throw error;
    throw new EmovoxInputError(manifestPath, `unreadable manifest (${(error as Error).message})`, {
      cause: error,
    });
  }
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.record)))];
  const pathKey = findKey(keys, PATH_KEYS);
  const labelKey = findKey(keys, LABEL_KEYS);
  if (!pathKey || !labelKey) {
    const missing = [
      !pathKey ? `path column (expected one of: ${PATH_KEYS.join(', ')})` : '',
      !labelKey ? `label column (expected one of: ${LABEL_KEYS.join(', ')})` : '',
    ].filter((m) => m !== '');
    throw new EmovoxInputError(
      manifestPath,
      rows.length === 0
        ? 'manifest has no usable rows'
        : `manifest has no ${missing.join(' and no ')}; columns found: ${keys.join(', ') || '(none)'}`,
    );
  }
  const base = dirname(resolve(manifestPath));
  let realBase = base;
  try {
    realBase = await realpath(base);
  } catch {
    /* the folder exists: the manifest was just read from it */
  }
  const candidates = await Promise.all(
    rows.map(async ({ line, record }, index) => {
      const where = `${manifestPath}:${line}`;
      const file = String(record[pathKey] ?? '').trim();
      const raw = String(record[labelKey] ?? '').trim();
      if (file === '' || raw === '') {
        problems.push({ source: where, problem: `empty ${file === '' ? pathKey : labelKey}`, failed: true });
        return undefined;
      }
      const path = isAbsolute(file) ? file : resolve(base, file);
      if (!options.allowOutsideRoot && !isInside(path, base)) {
        problems.push({
          source: where,
          problem: `path ${file} lies outside the manifest's folder ${base} (allow with allowOutsideRoot / --allow-outside-root)`,
          failed: true,
        });
        return undefined;
      }
      try {
        const stats = await stat(path);
        if (!stats.isFile()) {
          problems.push({
            source: where,
            problem: `${file} is ${fileKind(stats)}, not a regular audio file`,
            failed: true,
          });
          return undefined;
        }
        if (!options.allowOutsideRoot && !isInside(await realpath(path), realBase)) {
          problems.push({
            source: where,
            problem: `${file} is a link to a file outside the manifest's folder ${base} (allow with allowOutsideRoot / --allow-outside-root)`,
            failed: true,
          });
          return undefined;
        }
      } catch {
        problems.push({ source: where, problem: `audio file ${file} not found`, failed: true });
        return undefined;
      }
      return { index, line, record, path, raw, where };
    }),
  );
  // One file with two different labels: the manifest contradicts itself, so none of its rows is used.
  const byPath = new Map<string, { line: number; raw: string }[]>();
  for (const c of candidates) {
    if (!c) continue;
    byPath.set(c.path, [...(byPath.get(c.path) ?? []), { line: c.line, raw: c.raw }]);
  }
  for (const c of candidates) {
    if (!c) continue;
    const rowsOfFile = byPath.get(c.path)!;
    if (new Set(rowsOfFile.map((r) => r.raw)).size > 1) {
      problems.push({
        source: c.where,
        problem: `conflicting labels for ${c.path}: ${rowsOfFile.map((r) => `line ${r.line} says "${r.raw}"`).join(', ')}; left out`,
        failed: true,
      });
      continue;
    }
    const meta: Record<string, MetaValue> = {};
    const fields: Partial<CorpusItem> = {};
    for (const [key, value] of Object.entries(c.record)) {
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
      path: c.path,
      corpus: 'manifest',
      id: c.path,
      label: genericLabel(c.raw),
      rawLabel: c.raw,
      speaker: fields.speaker ?? '',
      meta: { ...meta, manifest: posix.basename(manifestPath.replace(/\\/g, '/')), row: c.index },
    });
  }
  items.sort((a, b) => (a.meta.row as number) - (b.meta.row as number));
  problems.sort((a, b) => lineOf(a.source) - lineOf(b.source));
  return { items, problems };
}

function lineOf(source: string): number {
  const m = /:(\d+)$/.exec(source);
  return m ? Number(m[1]) : 0;
}

const topLevelCandidates = (listing: CorpusListing): string[] =>
  listing.files.filter((f) => !f.includes('/') && (extensionOf(f) === 'csv' || extensionOf(f) === 'jsonl'));

/**
 * Generic manifest form: every top-level `.csv`/`.jsonl` of the directory with a path and a label
 * column (see `loadManifestFile`; `listing.allowOutsideRoot` is passed on). Scores 0.95 when one
 * exists: a manifest the user wrote wins over guessing from names, except against a perfect
 * named-corpus match.
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
      try {
        const loaded = await loadManifestFile(path, { allowOutsideRoot: listing.allowOutsideRoot });
        items.push(...loaded.items);
        problems.push(...loaded.problems);
      } catch (error) {
        const problem = error instanceof EmovoxInputError ? error.problem : (error as Error).message;
        problems.push({ source: path, problem, failed: true });
      }
    }
    return { items, problems };
  },
};
