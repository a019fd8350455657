import { parse } from 'csv-parse/sync';
import { open } from 'node:fs/promises';

/**
 * Parses CSV text with a header row into records keyed by column name (RFC 4180 quoting,
 * BOM stripped, ragged rows tolerated).
 */
export function parseCsv(text: string): Record<string, string>[] {
  return parse<Record<string, string>>(text, {
    columns: (header: string[]) => header.map((h) => h.trim()),
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    trim: false,
  });
}

interface CsvRecordInfo {
  info: { lines: number };
  record: Record<string, string>;
}

function parseWithLines(text: string, onSkip: (line: number, problem: string) => void): CsvRecordInfo[] {
  return parse<CsvRecordInfo>(text, {
    columns: (header: string[]) => header.map((h) => h.trim()),
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    trim: false,
    info: true,
    skip_records_with_error: true,
    on_skip: (error: { lines?: number; message: string } | undefined) => {
      if (error) onSkip(error.lines ?? 0, error.message);
    },
  });
}

/**
 * Parses CSV text with a header row into records with their line numbers (1-based, the header
 * is line 1). A row that does not parse is reported through `onProblem` with its line and left
 * out; the other rows are kept. A quote opened and never closed would swallow every row after
 * it, so then each line is parsed on its own (rows with quoted line breaks are rare in manifests).
 */
export function parseCsvRecords(
  text: string,
  onProblem: (line: number, problem: string) => void,
): { line: number; record: Record<string, string> }[] {
  const skipped: { line: number; problem: string }[] = [];
  let records: CsvRecordInfo[];
  let unclosed = false;
  try {
    records = parseWithLines(text, (line, problem) => {
      if (/Quote Not Closed/i.test(problem)) unclosed = true;
      skipped.push({ line, problem });
    });
  } catch (error) {
    unclosed = true;
    records = [];
    skipped.push({ line: 0, problem: (error as Error).message });
  }
  if (!unclosed) {
    for (const s of skipped) onProblem(s.line, `not a valid CSV row (${s.problem}); row skipped`);
    return records.map((r) => ({ line: r.info.lines, record: r.record }));
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: { line: number; record: Record<string, string> }[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let problem: string | undefined;
    const rows = parseWithLines(`${lines[0]}\n${lines[i]}\n`, (_line, p) => (problem = p));
    if (problem !== undefined || rows.length !== 1) {
      onProblem(i + 1, `not a valid CSV row (${problem ?? 'no record'}); row skipped`);
    } else out.push({ line: i + 1, record: rows[0].record });
  }
  return out;
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
