// A file's timeline drawn as a bar of coloured segments (one per timeline window; overlapping
// windows meet halfway through their overlap) and listed in a table for screen readers and
// keyboard users.
import type { ResultRow } from './results.js';

/** Display spans: consecutive overlapping windows are cut at the middle of their overlap. */
export function displaySpans(segments: readonly ResultRow[]): { startS: number; endS: number }[] {
  return segments.map((s, i) => {
    const prev = segments[i - 1];
    const next = segments[i + 1];
    const startS = prev && prev.endS > s.startS ? (s.startS + prev.endS) / 2 : s.startS;
    const endS = next && next.startS < s.endS ? (next.startS + s.endS) / 2 : s.endS;
    return { startS, endS };
  });
}

const pct = (v: number) => `${(v * 100).toFixed(3)}%`;

/**
 * Renders the bar and the table.
 * @param bar - the bar element (emptied first).
 * @param tableBody - the table's tbody (emptied first).
 * @param durationS - length of the file, seconds.
 */
export function renderTimeline(
  bar: HTMLElement,
  tableBody: HTMLElement,
  segments: readonly ResultRow[],
  durationS: number,
  colors: Record<string, string>,
): void {
  bar.replaceChildren();
  tableBody.replaceChildren();
  const spans = displaySpans(segments);
  segments.forEach((s, i) => {
    const span = spans[i];
    const piece = document.createElement('div');
    piece.className = 'segment';
    piece.style.left = pct(span.startS / durationS);
    piece.style.width = pct((span.endS - span.startS) / durationS);
    piece.style.background = colors[s.label];
    piece.title = `${s.startS.toFixed(1)}-${s.endS.toFixed(1)} s: ${s.label} (${Math.round(s.confidence * 100)} %)`;
    piece.dataset.label = s.label;
    bar.append(piece);
    const tr = document.createElement('tr');
    const cells = [
      s.startS.toFixed(2),
      s.endS.toFixed(2),
      s.label,
      `${Math.round(s.confidence * 100)} %${s.lowConfidence ? ' (uncertain)' : ''}`,
    ];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = colors[s.label];
    tr.children[2].prepend(swatch);
    tableBody.append(tr);
  });
  bar.dataset.segments = String(segments.length);
}
