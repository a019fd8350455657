import cliProgress from 'cli-progress';
import type { ExperimentEvent } from './experiment.js';

/**
 * Renders experiment events: a live bar (phase / fold, epoch, batch, ETA) on a terminal, or one
 * summary line per epoch otherwise. `write` receives finished lines (default stderr).
 */
export class ProgressReporter {
  private bar: cliProgress.SingleBar | undefined;
  private barKind: 'phase' | 'train' | undefined;
  private epochs = 0;
  private foldLabel = '';
  private lastVal = '';

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
    kind: 'phase' | 'train',
    format: string,
    total: number,
    payload: Record<string, unknown>,
  ): void {
    this.stopBar();
    this.bar = new cliProgress.SingleBar(
      { stream: process.stderr, format, hideCursor: true, etaBuffer: 50, fps: 5 },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, payload);
    this.barKind = kind;
  }

  /** Handles one event. */
  handle(event: ExperimentEvent): void {
    switch (event.type) {
      case 'log':
        if (this.bar) this.bar.stop();
        this.write(event.message);
        if (this.bar) this.stopBar();
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
        this.stopBar();
        this.lastVal = '';
        this.write(`${this.foldLabel}: ${event.train} train / ${event.val} val / ${event.test} test rows`);
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
        const parts = [
          `epoch ${l.epoch + 1}/${this.epochs}`,
          `loss ${l.trainLoss.toFixed(4)}`,
          `acc ${(100 * l.trainAccuracy).toFixed(1)}%`,
        ];
        if (l.valLoss !== undefined) parts.push(`val loss ${l.valLoss.toFixed(4)}`);
        if (l.valUa !== undefined) parts.push(`val UA ${(100 * l.valUa).toFixed(1)}%`);
        parts.push(`lr ${l.lr.toExponential(2)}`);
        if (l.valUa !== undefined) this.lastVal = ` | last val UA ${(100 * l.valUa).toFixed(1)}%`;
        if (this.tty) {
          this.stopBar();
          return; // the bar shows progress; the per-epoch line is for logs
        }
        this.write(`${this.foldLabel} | ${parts.join(' | ')}`);
        return;
      }
      case 'fold-end':
        // The run's log line already reports the fold's scores.
        this.stopBar();
        return;
    }
  }

  /** Stops any live bar. */
  close(): void {
    this.stopBar();
  }
}
