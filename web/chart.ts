// The live chart: calibrated probability of every emotion over time (uPlot, MIT). Points are
// appended as results arrive (live) or set at once (a file's timeline); the live chart keeps the
// last MAX_POINTS points so an hour-long session stays light.
import uPlot from 'uplot';

const MAX_POINTS = 600;

/** A chart of label probabilities (0..1) against seconds. */
export class ProbabilityChart {
  private readonly plot: uPlot;
  private readonly x: number[] = [];
  private readonly ys: (number | null)[][];

  /**
   * @param host - the element the chart fills (its width; height 260 CSS px, 200 on narrow screens).
   * @param labels - class names in model order.
   * @param colors - a CSS colour per label.
   */
  constructor(
    private readonly host: HTMLElement,
    private readonly labels: readonly string[],
    colors: Record<string, string>,
  ) {
    this.ys = labels.map(() => []);
    const opts: uPlot.Options = {
      width: this.width(),
      height: this.height(),
      scales: { x: { time: false }, y: { range: [0, 1] } },
      axes: [
        { label: 'seconds', stroke: '#1a1a1a', grid: { stroke: '#e4e4e4' } },
        { label: 'probability', stroke: '#1a1a1a', grid: { stroke: '#e4e4e4' }, size: 50 },
      ],
      series: [
        { label: 's', value: (_u, v) => (v == null ? '-' : `${v.toFixed(1)} s`) },
        ...labels.map((label) => ({
          label,
          stroke: colors[label],
          width: 2,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v == null ? '-' : `${Math.round(v * 100)} %`),
        })),
      ],
      legend: { live: true },
    };
    this.plot = new uPlot(opts, [[], ...labels.map(() => [])], host);
    host.dataset.points = '0';
    new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: this.height() })).observe(host);
  }

  private width(): number {
    return Math.max(240, this.host.clientWidth || 600);
  }

  private height(): number {
    return this.width() < 480 ? 200 : 260;
  }

  /**
   * Adds one point (seconds, probabilities by label) in time order: a speech segment's result
   * can end before the last interim result, which is already drawn.
   */
  push(t: number, scores: Record<string, number>): void {
    let at = this.x.length;
    while (at > 0 && this.x[at - 1] > t) at--;
    this.x.splice(at, 0, t);
    this.labels.forEach((l, i) => this.ys[i].splice(at, 0, scores[l] ?? 0));
    if (this.x.length > MAX_POINTS) {
      this.x.splice(0, this.x.length - MAX_POINTS);
      for (const y of this.ys) y.splice(0, y.length - MAX_POINTS);
    }
    this.redraw();
  }

  /**
   * Shows a file's timeline: each segment's probabilities held flat from its start to its end,
   * with a gap where there is no speech.
   * @param spans - segments in time order, not overlapping (see `displaySpans`).
   */
  setSpans(spans: { startS: number; endS: number; scores: Record<string, number> }[]): void {
    this.x.length = 0;
    for (const y of this.ys) y.length = 0;
    spans.forEach((span, k) => {
      const prev = spans[k - 1];
      if (prev && span.startS > prev.endS + 1e-6) this.append((prev.endS + span.startS) / 2, null);
      this.append(span.startS, span.scores);
      this.append(span.endS, span.scores);
    });
    this.plot.setData([this.x.slice(), ...this.ys.map((y) => y.slice())]);
    this.host.dataset.points = String(spans.length);
  }

  /** Removes every point. */
  clear(): void {
    this.x.length = 0;
    for (const y of this.ys) y.length = 0;
    this.redraw();
  }

  private append(t: number, scores: Record<string, number> | null): void {
    this.x.push(t);
    this.labels.forEach((l, i) => this.ys[i].push(scores ? (scores[l] ?? 0) : null));
  }

  private redraw(): void {
    this.plot.setData([this.x.slice(), ...this.ys.map((y) => y.slice())]);
    this.host.dataset.points = String(this.x.length);
  }
}
