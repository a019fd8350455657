import { readFile } from 'node:fs/promises';

/** Largest annotation / transcript file read whole (bytes); larger ones are reported, not read. */
export const MAX_TEXT_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a small text file as UTF-8 (BOM stripped), falling back to GB18030 for the
 * Chinese transcripts some corpora ship in a legacy encoding.
 *
 * @throws Error when the file is unreadable or larger than `MAX_TEXT_FILE_BYTES`
 */
export async function readTextFile(path: string): Promise<string> {
  const bytes = await readFile(path);
  if (bytes.length > MAX_TEXT_FILE_BYTES) throw new Error(`larger than ${MAX_TEXT_FILE_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('gb18030').decode(bytes);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
