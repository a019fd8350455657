import type { WeightMap } from '../models/weights.js';
import { EmovoxParameterError } from '../util/errors.js';

/** Metrics of one finished epoch (training loss always; validation values when a val set exists). */
export interface EpochLog {
  /** 0-based epoch index. */
  epoch: number;
  /** Mean training loss over the epoch's examples. */
  trainLoss: number;
  /** Training accuracy (of the training-mode forward passes). */
  trainAccuracy: number;
  /** Learning rate used during the epoch. */
  lr: number;
  /** Validation loss (unweighted cross-entropy) and the scorer's metrics, e.g. `valUa`. */
  [metric: string]: number;
}

/** What callbacks can see and change while training. */
export interface LoopControl {
  /** Current learning rate; set it to change the next epoch's. */
  lr: number;
  /** Set true to stop after this epoch. */
  stop: boolean;
  /** Copy of the current model weights (for best-checkpoint keeping). */
  weights(): WeightMap;
  /** Total epochs planned. */
  readonly epochs: number;
  /** Learning rate the run started with. */
  readonly initialLr: number;
}

/**
 * A training callback (Keras / Lightning style). State that must survive a resume is returned
 * by `state()` (JSON-serialisable, Float32Arrays allowed) and given back to `restore()`.
 */
export interface Callback {
  /** Unique name; the checkpoint stores state under it. */
  readonly name: string;
  /** Before epoch `epoch` runs (schedules set the learning rate here). */
  onEpochBegin?(epoch: number, control: LoopControl): void;
  /** After epoch `epoch`, with its metrics. */
  onEpochEnd?(log: EpochLog, control: LoopControl): void;
  /** What must survive a resume (JSON-serialisable, Float32Arrays allowed); stored in the checkpoint. */
  state?(): unknown;
  /** Takes back what `state()` returned, when training resumes from a checkpoint. */
  restore?(state: unknown): void;
}

/** Which way a monitored metric improves: losses go down, accuracies up. */
export function metricMode(metric: string): 'min' | 'max' {
  return /loss/i.test(metric) ? 'min' : 'max';
}

function monitored(log: EpochLog, metric: string): number {
  const value = log[metric];
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new EmovoxParameterError(
      'monitor',
      `metric ${metric} is not logged (logged: ${Object.keys(log).join(', ')}); a validation set is needed for val* metrics`,
    );
  }
  return value;
}

function improves(value: number, best: number, mode: 'min' | 'max', minDelta: number): boolean {
  return mode === 'max' ? value > best + minDelta : value < best - minDelta;
}

/** Stops when `monitor` has not improved by more than `minDelta` for `patience` epochs. */
export class EarlyStopping implements Callback {
  readonly name = 'earlyStopping';
  private best: number;
  private bad = 0;
  private readonly mode: 'min' | 'max';
  constructor(
    readonly monitor: string,
    readonly patience: number,
    readonly minDelta = 0,
  ) {
    this.mode = metricMode(monitor);
    this.best = this.mode === 'max' ? -Infinity : Infinity;
  }
  onEpochEnd(log: EpochLog, control: LoopControl): void {
    const value = monitored(log, this.monitor);
    if (improves(value, this.best, this.mode, this.minDelta)) {
      this.best = value;
      this.bad = 0;
    } else if (++this.bad >= this.patience) control.stop = true;
  }
  /** The state a resume needs (see {@link Callback.state}). */
  state(): unknown {
    return { best: this.best, bad: this.bad };
  }
  /** Takes back what `state()` returned. */
  restore(state: unknown): void {
    const s = state as { best: number | null; bad: number };
    this.best = s.best ?? (this.mode === 'max' ? -Infinity : Infinity);
    this.bad = s.bad;
  }
}

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau: multiplies the learning rate by `factor` when
 * `monitor` has not improved (by more than `minDelta`) for `patience` epochs, then waits
 * `cooldown` epochs; never below `minLr`.
 */
export class ReduceLrOnPlateau implements Callback {
  readonly name = 'reduceLrOnPlateau';
  private best: number;
  private bad = 0;
  private cooldownLeft = 0;
  private readonly mode: 'min' | 'max';
  constructor(
    readonly monitor: string,
    readonly factor = 0.5,
    readonly patience = 5,
    readonly minLr = 1e-6,
    readonly cooldown = 0,
    readonly minDelta = 0,
  ) {
    if (!(factor > 0 && factor < 1))
      throw new EmovoxParameterError('factor', `must be in (0, 1), got ${factor}`);
    this.mode = metricMode(monitor);
    this.best = this.mode === 'max' ? -Infinity : Infinity;
  }
  onEpochEnd(log: EpochLog, control: LoopControl): void {
    const value = monitored(log, this.monitor);
    if (improves(value, this.best, this.mode, this.minDelta)) {
      this.best = value;
      this.bad = 0;
    } else this.bad++;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.bad = 0;
    }
    if (this.bad > this.patience) {
      const lr = Math.max(this.minLr, control.lr * this.factor);
      if (control.lr - lr > 1e-12) control.lr = lr;
      this.cooldownLeft = this.cooldown;
      this.bad = 0;
    }
  }
  /** The state a resume needs (see {@link Callback.state}). */
  state(): unknown {
    return { best: this.best, bad: this.bad, cooldownLeft: this.cooldownLeft };
  }
  /** Takes back what `state()` returned. */
  restore(state: unknown): void {
    const s = state as { best: number | null; bad: number; cooldownLeft: number };
    this.best = s.best ?? (this.mode === 'max' ? -Infinity : Infinity);
    this.bad = s.bad;
    this.cooldownLeft = s.cooldownLeft;
  }
}

/**
 * Cosine annealing from the initial learning rate to `minLr` over the run's epochs, after
 * `warmup` epochs of linear warm-up from lr / (warmup + 1). Stateless: the rate is a function of
 * the epoch.
 */
export class CosineSchedule implements Callback {
  readonly name = 'cosine';
  constructor(
    readonly minLr = 0,
    readonly warmup = 0,
  ) {}
  onEpochBegin(epoch: number, control: LoopControl): void {
    const lr0 = control.initialLr;
    if (epoch < this.warmup) {
      control.lr = (lr0 * (epoch + 1)) / (this.warmup + 1);
      return;
    }
    const span = Math.max(1, control.epochs - this.warmup);
    const t = Math.min(1, (epoch - this.warmup) / span);
    control.lr = this.minLr + 0.5 * (lr0 - this.minLr) * (1 + Math.cos(Math.PI * t));
  }
}

/** Step decay: lr = initial * gamma^floor(epoch / stepSize) (torch StepLR). Stateless. */
export class StepSchedule implements Callback {
  readonly name = 'step';
  constructor(
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    if (!(Number.isInteger(stepSize) && stepSize >= 1))
      throw new EmovoxParameterError('stepSize', `must be an integer >= 1, got ${stepSize}`);
  }
  onEpochBegin(epoch: number, control: LoopControl): void {
    control.lr = control.initialLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** Keeps a copy of the weights of the best epoch by `monitor` (in memory and in checkpoints). */
export class BestWeights implements Callback {
  readonly name = 'bestWeights';
  best: number;
  bestEpoch = -1;
  weights: WeightMap | undefined;
  private readonly mode: 'min' | 'max';
  constructor(
    readonly monitor: string,
    readonly minDelta = 0,
  ) {
    this.mode = metricMode(monitor);
    this.best = this.mode === 'max' ? -Infinity : Infinity;
  }
  onEpochEnd(log: EpochLog, control: LoopControl): void {
    const value = monitored(log, this.monitor);
    if (improves(value, this.best, this.mode, this.minDelta)) {
      this.best = value;
      this.bestEpoch = log.epoch;
      this.weights = control.weights();
    }
  }
  /** The state a resume needs (see {@link Callback.state}). */
  state(): unknown {
    return {
      best: this.best,
      bestEpoch: this.bestEpoch,
      weights: this.weights
        ? [...this.weights].map(([name, t]) => ({ name, shape: t.shape, data: t.data }))
        : null,
    };
  }
  /** Takes back what `state()` returned. */
  restore(state: unknown): void {
    const s = state as {
      best: number | null;
      bestEpoch: number;
      weights: { name: string; shape: number[]; data: Float32Array }[] | null;
    };
    this.best = s.best ?? (this.mode === 'max' ? -Infinity : Infinity);
    this.bestEpoch = s.bestEpoch;
    this.weights = s.weights
      ? new Map(s.weights.map((w) => [w.name, { shape: w.shape, data: w.data }]))
      : undefined;
  }
}

/**
 * Replays recorded learning rates, one per epoch (the last one repeats): a refit on more data
 * follows the schedule its validated run took.
 */
export class ReplaySchedule implements Callback {
  readonly name = 'replay';
  constructor(readonly rates: readonly number[]) {
    if (rates.length === 0) throw new EmovoxParameterError('rates', 'needs at least one learning rate');
  }
  onEpochBegin(epoch: number, control: LoopControl): void {
    control.lr = this.rates[Math.min(epoch, this.rates.length - 1)];
  }
}
