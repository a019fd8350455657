import cliProgress from 'cli-progress';
import type { ExperimentEvent } from './experiment.js';

/**
 * Renders experiment events: a live bar (phase / fold, epoch, batch, ETA) on a terminal, or one
 * summary line per epoch otherwise. In a parallel run (`jobs` events) the terminal bar counts
 * finished tasks and shows each running one's epoch; epoch lines name their own fold. `write`
 * receives finished lines (default stderr).
 */
export class ProgressReporter {
  private bar: cliProgress.SingleBar | undefined;
  private barKind: 'phase' | 'train' | 'jobs' | undefined;
  private epochs = 0;
  private foldLabel = '';
  private lastVal = '';
  /** Label and epoch budget of each fold by its name (folds interleave in a parallel run). */
  private readonly folds = new Map<string, { label: string; epochs: number; epoch?: number }>();
  /** The last `jobs` event: a parallel run's bar is redrawn from it after each written line. */
  private jobs: { done: number; total: number; running: string[] } | undefined;

  constructor(
    private readonly tty: boolean = process.stderr.isTTY === true,
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  private stopBar(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.barKind = undefined;
  }

  private startBar(
    kind: 'phase' | 'train' | 'jobs',
    format: string,
    total: number,
    payload: Record<string, unknown>,
    value = 0,
  ): void {
    this.stopBar();
    this.bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
        clearOnComplete: kind === 'jobs',
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, value, payload);
    this.barKind = kind;
  }

  private jobsStatus(): string {
    return (this.jobs?.running ?? [])
      .map((name) => {
        const f = this.folds.get(name);
        return f?.epoch !== undefined ? `${name} epoch ${f.epoch}/${f.epochs}` : name;
      })
      .join(', ');
  }

  private drawJobs(): void {
    if (!this.tty || !this.jobs) return;
    if (this.barKind !== 'jobs')
      this.startBar(
        'jobs',
        'tasks {bar} {value}/{total} done | {running}',
        this.jobs.total,
        { running: this.jobsStatus() },
        this.jobs.done,
      );
    this.bar!.update(this.jobs.done, { running: this.jobsStatus() });
  }

  /** Writes a finished line; a parallel run's bar is cleared first and drawn again after. */
  private line(text: string): void {
    if (this.barKind === 'jobs') {
      this.stopBar();
      this.write(text);
      this.drawJobs();
      return;
    }
    if (this.bar) this.bar.stop();
    this.write(text);
    if (this.bar) this.stopBar();
  }

  /** Handles one event. */
  handle(event: ExperimentEvent): void {
    switch (event.type) {
      case 'log':
        this.line(event.message);
        return;
      case 'jobs':
        this.jobs = { done: event.done, total: event.total, running: event.running };
        this.drawJobs();
        return;
      case 'progress':
        if (!this.tty) {
          if (event.done === event.total) this.write(`${event.phase}: ${event.total} files ready`);
          return;
        }
        if (this.barKind !== 'phase' || this.bar?.getTotal() !== event.total) {
          this.startBar(
            'phase',
            `${event.phase.padEnd(8)} {bar} {value}/{total} files | ETA {eta_formatted}`,
            event.total,
            {},
          );
        }
        this.bar!.update(event.done);
        if (event.done === event.total) this.stopBar();
        return;
      case 'fold-start':
        this.epochs = event.epochs;
        this.foldLabel =
          event.index === 0
            ? event.fold
            : `${event.fold}${event.members > 1 ? ` model ${event.member + 1}/${event.members}` : ''}`;
        this.folds.set(event.fold, { label: this.foldLabel, epochs: event.epochs });
        this.lastVal = '';
        if (this.barKind !== 'jobs') this.stopBar();
        this.line(`${this.foldLabel}: ${event.train} train / ${event.val} val / ${event.test} test rows`);
        return;
      case 'batch':
        if (!this.tty) return;
        if (this.barKind !== 'train' || event.batch === 1) {
          this.startBar(
            'train',
            `${this.foldLabel} | epoch {epoch}/${this.epochs} {bar} batch {value}/{total} | loss {loss}${this.lastVal} | ETA {eta_formatted}`,
            event.batches,
            { epoch: event.epoch + 1, loss: event.loss.toFixed(3) },
          );
        }
        this.bar!.update(event.batch, { epoch: event.epoch + 1, loss: event.loss.toFixed(3) });
        return;
      case 'epoch': {
        const l = event.log;
        const fold = this.folds.get(event.fold) ?? { label: this.foldLabel, epochs: this.epochs };
        fold.epoch = l.epoch + 1;
        const parts = [
          `epoch ${l.epoch + 1}/${fold.epochs}`,
          `loss ${l.trainLoss.toFixed(4)}`,
          `acc ${(100 * l.trainAccuracy).toFixed(1)}%`,
        ];
        if (l.valLoss !== undefined) parts.push(`val loss ${l.valLoss.toFixed(4)}`);
        if (l.valUa !== undefined) parts.push(`val UA ${(100 * l.valUa).toFixed(1)}%`);
        parts.push(`lr ${l.lr.toExponential(2)}`);
        if (l.valUa !== undefined) this.lastVal = ` | last val UA ${(100 * l.valUa).toFixed(1)}%`;
        if (this.tty) {
          if (this.barKind === 'jobs') this.drawJobs();
          else this.stopBar();
          return; // the bar shows progress; the per-epoch line is for logs
        }
        this.write(`${fold.label} | ${parts.join(' | ')}`);
        return;
      }
      case 'fold-end':
        // The run's log line already reports the fold's scores.
        if (this.barKind !== 'jobs') this.stopBar();
        return;
    }
  }

  /** Stops any live bar. */
  close(): void {
    this.stopBar();
  }
}
