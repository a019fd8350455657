// Smoothing of class probabilities across neighbouring segments: emotions change slower than
// the windows a timeline or a stream scores. Pure.

/** A scored stretch of audio: its centre is what distances are measured between. */
export interface ScoredSpan {
  startS: number;
  endS: number;
  scores: Record<string, number>;
}

/**
 * Non-causal smoothing (timelines): each span's probabilities become the average of every span
 * within `3 * tauS` of it, weighted by duration x exp(-|centre distance| / tauS). A span far
 * from all others keeps its own scores. `tauS <= 0` returns copies of the input scores.
 * @param spans - spans in time order.
 * @param labels - classes to smooth (the model's labels).
 * @param tauS - time constant in seconds (default 2).
 * @returns smoothed probabilities per span (each sums to 1).
 */
export function smoothScores(
  spans: readonly ScoredSpan[],
  labels: readonly string[],
  tauS = 2,
): Record<string, number>[] {
  const centre = spans.map((s) => (s.startS + s.endS) / 2);
  return spans.map((span, i) => {
    if (!(tauS > 0)) return { ...span.scores };
    const acc = new Float64Array(labels.length);
    let total = 0;
    for (let j = 0; j < spans.length; j++) {
      const d = Math.abs(centre[j] - centre[i]);
      if (d > 3 * tauS) continue;
      const w = Math.max(1e-3, spans[j].endS - spans[j].startS) * Math.exp(-d / tauS);
      labels.forEach((l, k) => (acc[k] += w * (spans[j].scores[l] ?? 0)));
      total += w;
    }
    const out: Record<string, number> = {};
    labels.forEach((l, k) => (out[l] = acc[k] / total));
    return out;
  });
}

/**
 * Causal smoothing (streams): an exponential moving average of probabilities whose memory
 * decays with the time between spans, `exp(-gap / tauS)`, weighted by span duration. Constant
 * memory.
 */
export class ScoreSmoother {
  private state: Float64Array | undefined;
  private weight = 0;
  private lastEnd = 0;

  /**
   * @param labels - classes in model order.
   * @param tauS - time constant in seconds (default 4; <= 0 disables smoothing).
   */
  constructor(
    readonly labels: readonly string[],
    readonly tauS = 4,
  ) {}

  /** Adds a span and returns the smoothed probabilities up to and including it. */
  push(span: ScoredSpan): Record<string, number> {
    const k = this.labels.length;
    const duration = Math.max(1e-3, span.endS - span.startS);
    if (!(this.tauS > 0) || !this.state) {
      this.state = new Float64Array(k);
      this.weight = 0;
    } else {
      const decay = Math.exp(-Math.max(0, span.endS - this.lastEnd) / this.tauS);
      for (let i = 0; i < k; i++) this.state[i] *= decay;
      this.weight *= decay;
    }
    this.labels.forEach((l, i) => (this.state![i] += duration * (span.scores[l] ?? 0)));
    this.weight += duration;
    this.lastEnd = span.endS;
    const out: Record<string, number> = {};
    this.labels.forEach((l, i) => (out[l] = this.state![i] / this.weight));
    return out;
  }

  /** Forgets the history. */
  reset(): void {
    this.state = undefined;
    this.weight = 0;
    this.lastEnd = 0;
  }
}
