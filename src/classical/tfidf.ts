// TF-IDF vectoriser with scikit-learn's TfidfVectorizer semantics (analyzers 'char', 'char_wb',
// 'word'; smooth idf; sublinear tf; l2 rows), producing CSR matrices. Browser-safe.
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { csrFromRows, type CsrMatrix } from './sparse.js';

/** How documents are split into terms (scikit-learn's `analyzer`). */
export type TfidfAnalyzer = 'char' | 'char_wb' | 'word';

/** Options of {@link TfidfVectorizer}; defaults are scikit-learn's. */
export interface TfidfOptions {
  /** 'char' (n-grams over the whole text, default), 'char_wb' (within space-padded words) or 'word'. */
  analyzer?: TfidfAnalyzer;
  /** Smallest and largest n (default [1, 1]). */
  ngramRange?: [number, number];
  /** Lower-case before analysis (default true). */
  lowercase?: boolean;
  /** Text transformation applied before everything else (e.g. `normalizeText`; default none). */
  preprocess?: ((text: string) => string) | null;
  /** Drop terms in fewer documents: a count >= 1 (default 1), or a fraction in (0, 1). */
  minDf?: number;
  /**
   * Drop terms in more documents: a fraction in (0, 1] (default 1 = keep all), or a count > 1.
   * (JavaScript has one number type, so 1 is the fraction 1.0, not scikit-learn's integer 1.)
   */
  maxDf?: number;
  /** Keep only the most frequent terms over the corpus (default: all). */
  maxFeatures?: number | null;
  /** tf = 1 + ln(count) instead of the count (default false). */
  sublinearTf?: boolean;
  /** Weight by idf (default true). */
  useIdf?: boolean;
  /** idf = ln((1 + n) / (1 + df)) + 1 (default true); else ln(n / df) + 1. */
  smoothIdf?: boolean;
  /** Row normalisation (default 'l2'). */
  norm?: 'l1' | 'l2' | null;
}

/** Serialised {@link TfidfVectorizer} (`toJSON` / `fromJSON`), without the preprocess function. */
export interface TfidfJson {
  type: 'emovox-tfidf';
  version: 1;
  options: Omit<Required<TfidfOptions>, 'preprocess'>;
  /** Terms in column order (sorted by code point, as scikit-learn). */
  terms: string[];
  idf: number[];
}

const WHITE_SPACES = /\s\s+/gu;
// scikit-learn's token_pattern (?u)\b\w\w+\b: maximal runs of two or more word characters, with
// Python's Unicode \w (letters, numbers, underscore); JavaScript's \w and \b are ASCII-only.
const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

/** Code-point order (Python's str ordering), which scikit-learn's sorted vocabulary follows. */
function codePointCompare(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * Term frequency-inverse document frequency features, as scikit-learn's `TfidfVectorizer`:
 * the same analyzers, vocabulary (sorted terms), idf and normalisation, so that a fitted
 * vectoriser gives the same matrix as scikit-learn on the same texts (checked against it on a
 * small corpus in test/classical/). Python's `\w` and `\s` are Unicode-aware; so are the patterns
 * here (`u` flag), and n-grams count code points as Python does.
 */
export class TfidfVectorizer {
  readonly options: Omit<Required<TfidfOptions>, 'preprocess'>;
  private readonly preprocess: ((text: string) => string) | null;
  private vocabulary: Map<string, number> | null = null;
  private terms: string[] = [];
  private idf: Float64Array = new Float64Array(0);

  constructor(options: TfidfOptions = {}) {
    const [lo, hi] = options.ngramRange ?? [1, 1];
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < lo)
      throw new EmovoxParameterError('ngramRange', `must be integers 1 <= min <= max, got [${lo}, ${hi}]`);
    const analyzer = options.analyzer ?? 'char';
    if (!['char', 'char_wb', 'word'].includes(analyzer))
      throw new EmovoxParameterError('analyzer', `must be char, char_wb or word, got ${analyzer}`);
    this.options = {
      analyzer,
      ngramRange: [lo, hi],
      lowercase: options.lowercase ?? true,
      minDf: options.minDf ?? 1,
      maxDf: options.maxDf ?? 1.0,
      maxFeatures: options.maxFeatures ?? null,
      sublinearTf: options.sublinearTf ?? false,
      useIdf: options.useIdf ?? true,
      smoothIdf: options.smoothIdf ?? true,
      norm: options.norm === undefined ? 'l2' : options.norm,
    };
    this.preprocess = options.preprocess ?? null;
  }

  /** The terms of one document, in order, with repeats (scikit-learn's `build_analyzer()`). */
  analyze(text: string): string[] {
    let doc = this.preprocess ? this.preprocess(text) : text;
    if (this.options.lowercase) doc = doc.toLowerCase();
    const [lo, hi] = this.options.ngramRange;
    const out: string[] = [];
    if (this.options.analyzer === 'word') {
      const tokens = doc.match(TOKEN) ?? [];
      for (let n = lo; n <= Math.min(hi, tokens.length); n++)
        for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(' '));
      return out;
    }
    doc = doc.replace(WHITE_SPACES, ' ');
    if (this.options.analyzer === 'char') {
      const chars = Array.from(doc);
      for (let n = lo; n <= Math.min(hi, chars.length); n++)
        for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(''));
      return out;
    }
    for (const word of doc.split(/\s+/u).filter((w) => w !== '')) {
      const w = Array.from(` ${word} `);
      for (let n = lo; n <= hi; n++) {
        let offset = 0;
        out.push(w.slice(offset, offset + n).join(''));
        while (offset + n < w.length) {
          offset++;
          out.push(w.slice(offset, offset + n).join(''));
        }
        if (offset === 0) break; // a word shorter than n counts once
      }
    }
    return out;
  }

  /**
   * Learns the vocabulary and idf from training texts and returns their matrix.
   * @returns CSR [texts, terms].
   * @throws EmovoxInputError('tfidf', problem) when pruning leaves no terms.
   */
  fitTransform(texts: readonly string[]): CsrMatrix {
    const o = this.options;
    const counts = texts.map((t) => {
      const m = new Map<string, number>();
      for (const term of this.analyze(t)) m.set(term, (m.get(term) ?? 0) + 1);
      return m;
    });
    const df = new Map<string, number>();
    const total = new Map<string, number>();
    for (const m of counts)
      for (const [term, n] of m) {
        df.set(term, (df.get(term) ?? 0) + 1);
        total.set(term, (total.get(term) ?? 0) + n);
      }
    const n = texts.length;
    const minDoc = o.minDf >= 1 ? o.minDf : Math.ceil(o.minDf * n);
    const maxDoc = o.maxDf > 1 ? o.maxDf : Math.floor(o.maxDf * n);
    if (maxDoc < minDoc) throw new EmovoxParameterError('maxDf', 'corresponds to fewer documents than minDf');
    let kept = [...df.keys()].sort(codePointCompare);
    kept = kept.filter((t) => df.get(t)! >= minDoc && df.get(t)! <= maxDoc);
    if (o.maxFeatures !== null && kept.length > o.maxFeatures) {
      const top = new Set(
        kept
          .map((t, i) => [t, i] as const)
          .sort((a, b) => total.get(b[0])! - total.get(a[0])! || a[1] - b[1])
          .slice(0, o.maxFeatures)
          .map(([t]) => t),
      );
      kept = kept.filter((t) => top.has(t));
    }
    if (kept.length === 0) throw new EmovoxInputError('tfidf', 'no terms remain after pruning');
    this.terms = kept;
    this.vocabulary = new Map(kept.map((t, i) => [t, i]));
    this.idf = Float64Array.from(kept, (t) =>
      o.smoothIdf ? Math.log((1 + n) / (1 + df.get(t)!)) + 1 : Math.log(n / df.get(t)!) + 1,
    );
    return this.weigh(counts);
  }

  /**
   * Matrix of new texts with the fitted vocabulary (unknown terms ignored).
   * @throws EmovoxInputError('tfidf', 'not fitted') before {@link fitTransform}.
   */
  transform(texts: readonly string[]): CsrMatrix {
    return this.weigh(
      texts.map((t) => {
        const m = new Map<string, number>();
        for (const term of this.analyze(t)) m.set(term, (m.get(term) ?? 0) + 1);
        return m;
      }),
    );
  }

  private weigh(counts: Array<Map<string, number>>): CsrMatrix {
    const vocab = this.vocabulary;
    if (!vocab) throw new EmovoxInputError('tfidf', 'not fitted: call fitTransform first');
    const o = this.options;
    const rows = counts.map((m) => {
      const row = new Map<number, number>();
      for (const [term, c] of m) {
        const col = vocab.get(term);
        if (col === undefined) continue;
        const tf = o.sublinearTf ? 1 + Math.log(c) : c;
        row.set(col, o.useIdf ? tf * this.idf[col] : tf);
      }
      if (o.norm) {
        let s = 0;
        for (const v of row.values()) s += o.norm === 'l2' ? v * v : Math.abs(v);
        const scale = o.norm === 'l2' ? Math.sqrt(s) : s;
        if (scale > 0) for (const [k, v] of row) row.set(k, v / scale);
      }
      return row;
    });
    return csrFromRows(rows, this.terms.length);
  }

  /** Terms in column order. */
  featureNames(): readonly string[] {
    return this.terms;
  }

  /** The fitted idf per column. */
  idfWeights(): Float64Array {
    return this.idf;
  }

  /** Plain JSON of the fitted vectoriser (the preprocess function is not saved). */
  toJSON(): TfidfJson {
    return { type: 'emovox-tfidf', version: 1, options: this.options, terms: this.terms, idf: [...this.idf] };
  }

  /**
   * Restores a fitted vectoriser.
   * @param preprocess - the preprocess function it was fitted with, if any.
   * @throws EmovoxInputError('tfidf', problem) for a malformed object.
   */
  static fromJSON(json: unknown, preprocess: ((text: string) => string) | null = null): TfidfVectorizer {
    const j = json as Partial<TfidfJson> | null;
    if (!j || j.type !== 'emovox-tfidf' || !Array.isArray(j.terms) || !Array.isArray(j.idf) || !j.options)
      throw new EmovoxInputError('tfidf', 'not an emovox TF-IDF vectoriser');
    if (j.terms.length !== j.idf.length)
      throw new EmovoxInputError('tfidf', 'terms and idf differ in length');
    const v = new TfidfVectorizer({ ...j.options, preprocess });
    v.terms = j.terms;
    v.vocabulary = new Map(j.terms.map((t, i) => [t, i]));
    v.idf = Float64Array.from(j.idf);
    return v;
  }
}
