import { parse } from 'csv-parse/sync';
import { open } from 'node:fs/promises';

/**
 * Parses CSV text with a header row into records keyed by column name (RFC 4180 quoting,
 * BOM stripped, ragged rows tolerated).
 */
export function parseCsv(text: string): Record<string, string>[] {
  return parse(text, {
    columns: (header: string[]) => header.map((h) => h.trim()),
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    trim: false,
  }) as Record<string, string>[];
}

/** First line of a file (at most 64 KiB read), for cheap header checks during detection. */
export async function readFirstLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const end = text.search(/\r?\n/);
    return end < 0 ? text : text.slice(0, end);
  } finally {
    await handle.close();
  }
}

/** Column names of a CSV header line (simple split; header names do not contain commas). */
export function headerColumns(line: string): string[] {
  return line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
}
