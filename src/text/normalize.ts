// Text normalisation shared by every tokenizer: repairs the encoding accidents found in subtitle
// corpora such as MELD, then folds typographic punctuation to ASCII. Browser-safe (no node:).

/** Windows-1252 characters of bytes 0x80-0x9F (undefined bytes map to themselves). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d,
  0x017d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0x9d, 0x017e, 0x0178,
];

/**
 * Code point → byte, for text whose bytes were read as Windows-1252 or as Latin-1: the
 * Windows-1252 characters of 0x80-0xFF, and the C1 controls U+0080-U+009F that Latin-1 gives.
 */
const CP1252_BYTE = new Map<number, number>();
for (let b = 0x80; b <= 0xff; b++) {
  CP1252_BYTE.set(b < 0xa0 ? CP1252_HIGH[b - 0x80] : b, b);
  if (b < 0xa0) CP1252_BYTE.set(b, b);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Undoes UTF-8 text that was decoded as Windows-1252 (or Latin-1) once: "donâ€™t" → "don’t".
 * Each run of non-ASCII characters is re-encoded to the bytes it came from and decoded as UTF-8;
 * a run that is not valid UTF-8 that way (real accented text such as "café") is left as it is.
 */
function repairMojibake(text: string): string {
  return text.replace(/[\u0080-\uffff]+/g, (run) => {
    const bytes: number[] = [];
    for (const ch of run) {
      const b = CP1252_BYTE.get(ch.codePointAt(0)!);
      if (b === undefined) return run;
      bytes.push(b);
    }
    // A lone Latin-1 letter is never a complete UTF-8 sequence; only multi-byte runs can be repairs.
    if (bytes.length < 2) return run;
    try {
      return utf8.decode(Uint8Array.from(bytes));
    } catch {
      return run;
    }
  });
}

/** C1 control characters (U+0080-U+009F) read as the Windows-1252 punctuation they stand for. */
function repairC1(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (ch) => String.fromCodePoint(CP1252_HIGH[ch.charCodeAt(0) - 0x80]));
}

const FOLDS: Array<[RegExp, string]> = [
  [/[\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4]/g, "'"],
  [/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g, '"'],
  [/[\u2010-\u2015\u2212]/g, '-'],
  [/\u2026/g, '...'],
  [/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, ' '],
  [/[\u200b-\u200d\u2060\ufeff]/g, ''],
];

/** Options of {@link normalizeText}. */
export interface NormalizeOptions {
  /** Fold curly quotes, dashes, ellipsis and exotic spaces to ASCII (default true). */
  asciiPunctuation?: boolean;
  /** Lower-case (default false: tokenizers decide). */
  lowercase?: boolean;
}

/**
 * Normalises one utterance for tokenization, in this order:
 * 1. repairs UTF-8 that was decoded as Windows-1252 ("â€™" → "’"), run by run;
 * 2. maps stray C1 controls U+0080-U+009F to the Windows-1252 character of the same byte
 *    ("\u0092" → "’"), as found in MELD copies saved through Latin-1;
 * 3. Unicode NFKC (full-width forms, ligatures, "…" → "...");
 * 4. with `asciiPunctuation` (default): ‘ ’ ‚ ′ → ', “ ” „ « » → ", dashes → -, no-break and
 *    other spaces → space, zero-width characters removed;
 * 5. collapses whitespace runs to one space and trims; lower-cases with `lowercase`.
 * Letters with accents are kept (NFKC composes them): "café" stays "café".
 * @param text - any string.
 * @returns the normalised string ('' for blank input).
 */
export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  let s = repairC1(repairMojibake(text)).normalize('NFKC');
  if (options.asciiPunctuation ?? true) for (const [re, to] of FOLDS) s = s.replace(re, to);
  s = s.replace(/\s+/g, ' ').trim();
  return options.lowercase ? s.toLowerCase() : s;
}
