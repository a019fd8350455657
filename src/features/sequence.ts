import { EmovoxParameterError } from '../util/errors.js';

/**
 * Sequence decoding after librosa.sequence (0.11): transition matrices and Viterbi decoding.
 * pyin's voicing/pitch HMM is built from these.
 */

/** Smallest normal float64 and float32 (librosa's `tiny` for each dtype). */
const TINY64 = 2.2250738585072014e-308;
const TINY32 = 1.1754943508222875e-38;

/**
 * A dense transition matrix, `data[i * states + j] = P(state j at t + 1 | state i at t)`; each
 * row sums to 1.
 */
export interface Transition {
  readonly states: number;
  readonly data: Float64Array;
}

/**
 * A transition matrix keeping only its non-zero entries, column by column (target state j):
 * sources `source[k]`, k in `colStart[j] .. colStart[j + 1] - 1`, in increasing order, with
 * `log(P + tiny)` in `logProb[k]`. Made by {@link sparseTransition}.
 */
export interface SparseTransition {
  readonly states: number;
  readonly colStart: Int32Array;
  readonly source: Int32Array;
  readonly logProb: Float64Array;
  /** Runs of consecutive sources within each column (see {@link sparseTransition}). */
  readonly runStart: Int32Array;
  /** `runStart` offsets per column: runs of column j are `runCol[j] .. runCol[j + 1] - 1`. */
  readonly runCol: Int32Array;
  /** Largest `logProb` of each run. */
  readonly runMax: Float64Array;
}

function checkStates(n: number, min: number, name = 'nStates'): void {
  if (!Number.isInteger(n) || n < min)
    throw new EmovoxParameterError(name, `must be an integer >= ${min}, got ${n}`);
}

/** A scalar or one value per state, as a Float64Array of `n` values. */
function perState(value: number | ArrayLike<number>, n: number, name: string): Float64Array {
  if (typeof value === 'number') return new Float64Array(n).fill(value);
  if (value.length !== n)
    throw new EmovoxParameterError(name, `has ${value.length} values, expected nStates = ${n}`);
  return Float64Array.from(value);
}

/**
 * Uniform transitions (librosa.sequence.transition_uniform): every entry `1 / nStates`.
 *
 * @param nStates number of states, >= 1.
 */
export function transitionUniform(nStates: number): Transition {
  checkStates(nStates, 1);
  return { states: nStates, data: new Float64Array(nStates * nStates).fill(1.0 / nStates) };
}

/**
 * Self-loop transitions (librosa.sequence.transition_loop): stay with probability `prob[i]`,
 * move to each other state with `(1 - prob[i]) / (nStates - 1)`.
 *
 * @param nStates number of states, >= 2.
 * @param prob self-transition probability in [0, 1], one for all states or one per state.
 */
export function transitionLoop(nStates: number, prob: number | ArrayLike<number>): Transition {
  checkStates(nStates, 2);
  const p = perState(prob, nStates, 'prob');
  if (p.some((v) => !(v >= 0 && v <= 1))) throw new EmovoxParameterError('prob', 'values must lie in [0, 1]');
  const data = new Float64Array(nStates * nStates);
  for (let i = 0; i < nStates; i++) {
    data.fill((1.0 - p[i]) / (nStates - 1), i * nStates, (i + 1) * nStates);
    data[i * nStates + i] = p[i];
  }
  return { states: nStates, data };
}

/**
 * Cyclic transitions (librosa.sequence.transition_cycle): stay with probability `prob[i]`,
 * else move to state `(i + 1) mod nStates`.
 *
 * @param nStates number of states, >= 2.
 * @param prob self-transition probability in [0, 1], one for all states or one per state.
 */
export function transitionCycle(nStates: number, prob: number | ArrayLike<number>): Transition {
  checkStates(nStates, 2);
  const p = perState(prob, nStates, 'prob');
  if (p.some((v) => !(v >= 0 && v <= 1))) throw new EmovoxParameterError('prob', 'values must lie in [0, 1]');
  const data = new Float64Array(nStates * nStates);
  for (let i = 0; i < nStates; i++) {
    data[i * nStates + ((i + 1) % nStates)] = 1.0 - p[i];
    data[i * nStates + i] = p[i];
  }
  return { states: nStates, data };
}

/** Window shapes of {@link transitionLocal}: scipy's symmetric windows of `width` points. */
export type LocalWindow = 'triangle' | 'ones' | 'hann';

/** scipy.signal.get_window(window, M, fftbins=False). */
function symmetricWindow(window: LocalWindow, M: number): Float64Array {
  const w = new Float64Array(M);
  if (window === 'ones') return w.fill(1);
  if (window === 'hann') {
    if (M === 1) return w.fill(1);
    for (let n = 0; n < M; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (M - 1));
    return w;
  }
  if (window !== 'triangle')
    throw new EmovoxParameterError('window', `unknown window '${String(window)}' (triangle, ones, hann)`);
  const half = Math.floor((M + 1) / 2);
  for (let n = 1; n <= half; n++) {
    const v = M % 2 === 1 ? (2 * n) / (M + 1) : (2 * n - 1) / M;
    w[n - 1] = v;
    w[M - n] = v;
  }
  return w;
}

/** Options of {@link transitionLocal}. */
export interface TransitionLocalOptions {
  /** Shape of the local distribution. Default 'triangle'. */
  window?: LocalWindow;
  /** Measure locality modulo nStates (the state space is a circle). Default false. */
  wrap?: boolean;
}

/**
 * Local transitions (librosa.sequence.transition_local): from state i, a window of `width[i]`
 * states centred on i (truncated at the ends unless `wrap`), rows normalised to sum to 1. pyin
 * uses it for pitch bins.
 *
 * @param nStates number of states, >= 2.
 * @param width window width in states (1..nStates), one for all states or one per state.
 * @param options window='triangle', wrap=false.
 */
export function transitionLocal(
  nStates: number,
  width: number | ArrayLike<number>,
  options?: TransitionLocalOptions,
): Transition {
  checkStates(nStates, 2);
  const widths = perState(width, nStates, 'width');
  const window = options?.window ?? 'triangle';
  const wrap = options?.wrap ?? false;
  const data = new Float64Array(nStates * nStates);
  const padded = new Float64Array(nStates);
  for (let i = 0; i < nStates; i++) {
    const w = widths[i];
    if (!Number.isInteger(w) || w < 1)
      throw new EmovoxParameterError('width', `must be integers >= 1, got ${w}`);
    if (w > nStates) throw new EmovoxParameterError('width', `${w} exceeds nStates = ${nStates}`);
    // pad_center(get_window(window, w, fftbins=False), size=nStates), then np.roll by n/2 + i + 1
    padded.fill(0);
    padded.set(symmetricWindow(window, w), Math.floor((nStates - w) / 2));
    const row = data.subarray(i * nStates, (i + 1) * nStates);
    const shift = Math.floor(nStates / 2) + i + 1;
    for (let k = 0; k < nStates; k++) row[(k + shift) % nStates] = padded[k];
    if (!wrap) {
      row.fill(0, Math.min(nStates, i + Math.floor(w / 2) + 1));
      row.fill(0, 0, Math.max(0, i - Math.floor(w / 2)));
    }
    let sum = 0;
    for (let k = 0; k < nStates; k++) sum += row[k];
    for (let k = 0; k < nStates; k++) row[k] /= sum;
  }
  return { states: nStates, data };
}

/**
 * The Kronecker product `a ⊗ b` of two transition matrices (numpy.kron): the joint chain whose
 * state `ia * b.states + ib` moves like `a` in the outer and like `b` in the inner index. pyin
 * combines voicing (outer) with pitch bins (inner) this way.
 */
export function kronTransition(a: Transition, b: Transition): Transition {
  const n = a.states * b.states;
  const data = new Float64Array(n * n);
  for (let ia = 0; ia < a.states; ia++) {
    for (let ja = 0; ja < a.states; ja++) {
      const av = a.data[ia * a.states + ja];
      for (let ib = 0; ib < b.states; ib++) {
        const row = (ia * b.states + ib) * n + ja * b.states;
        for (let jb = 0; jb < b.states; jb++) data[row + jb] = av * b.data[ib * b.states + jb];
      }
    }
  }
  return { states: n, data };
}

/**
 * The non-zero entries of `t` by target column with their logs (`log(P + tiny64)`, as librosa
 * takes them), for {@link viterbi} on large, banded chains. Decoding with it treats zero
 * transitions as impossible, where librosa scores them `log(tiny) = -708`: the two differ only
 * when every allowed path is more than 708 nats less likely than a forbidden one.
 */
export function sparseTransition(t: Transition): SparseTransition {
  const n = t.states;
  checkTransition(t);
  const colStart = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) {
    let count = 0;
    for (let i = 0; i < n; i++) if (t.data[i * n + j] !== 0) count++;
    colStart[j + 1] = colStart[j] + count;
  }
  const source = new Int32Array(colStart[n]);
  const logProb = new Float64Array(colStart[n]);
  const runs: number[] = [];
  const runCol = new Int32Array(n + 1);
  const runMaxes: number[] = [];
  for (let j = 0, k = 0; j < n; j++) {
    runCol[j] = runs.length;
    for (let i = 0; i < n; i++) {
      const p = t.data[i * n + j];
      if (p === 0) continue;
      source[k] = i;
      logProb[k] = Math.log(p + TINY64);
      if (k === colStart[j] || source[k - 1] !== i - 1) {
        runs.push(k);
        runMaxes.push(logProb[k]);
      } else runMaxes[runMaxes.length - 1] = Math.max(runMaxes[runMaxes.length - 1], logProb[k]);
      k++;
    }
  }
  runCol[n] = runs.length;
  runs.push(colStart[n]);
  return {
    states: n,
    colStart,
    source,
    logProb,
    runStart: Int32Array.from(runs),
    runCol,
    runMax: Float64Array.from(runMaxes),
  };
}

function checkTransition(t: Transition): void {
  const n = t.states;
  checkStates(n, 1, 'transition.states');
  if (!(t.data instanceof Float64Array) || t.data.length !== n * n)
    throw new EmovoxParameterError('transition', `must hold ${n} x ${n} values`);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const v = t.data[i * n + j];
      if (!(v >= 0)) throw new EmovoxParameterError('transition', `entry (${i}, ${j}) is ${v}, must be >= 0`);
      sum += v;
    }
    // numpy.allclose(sum, 1)
    if (!(Math.abs(sum - 1) <= 1e-8 + 1e-5))
      throw new EmovoxParameterError('transition', `row ${i} sums to ${sum}, must sum to 1`);
  }
}

/** Observation probabilities for {@link viterbi}: frames x states, row-major, values in [0, 1]. */
export interface StateProbabilities {
  readonly data: Float32Array | Float64Array;
  readonly frames: number;
  /** Number of states. */
  readonly bins: number;
}

/** Options of {@link viterbi}. */
export interface ViterbiOptions {
  /** Initial state distribution (nStates values summing to 1). Default uniform. */
  pInit?: ArrayLike<number>;
}

/** Result of {@link viterbi}. */
export interface ViterbiPath {
  /** Most likely state per frame. */
  readonly states: Int32Array;
  /** Log-likelihood of that path (librosa's `return_logp=True`). */
  readonly logp: number;
}

/** Index of the first maximum (numpy.argmax). */
function argmax(v: Float64Array): number {
  let best = 0;
  for (let j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
  return best;
}

/**
 * Viterbi decoding from observation likelihoods (librosa.sequence.viterbi): the state sequence
 * maximising `log p_init[s0] + sum_t log prob[t, s_t] + sum_t log T[s_{t-1}, s_t]`, every
 * probability taken as `log(p + tiny)` (tiny of the observations' float type) and ties resolved
 * to the lowest state index, as numpy's argmax does.
 *
 * @param prob observation probabilities, frames x states (emovox layout; librosa's is states x
 *   frames), each in [0, 1].
 * @param transition dense {@link Transition} (exactly librosa) or {@link SparseTransition}
 *   (zero transitions impossible, much faster for banded chains).
 * @param options pInit = uniform.
 * @returns the state path (frames values) and its log-likelihood.
 */
export function viterbi(
  prob: StateProbabilities,
  transition: Transition | SparseTransition,
  options?: ViterbiOptions,
): ViterbiPath {
  const { frames, bins: n, data } = prob;
  if (!Number.isInteger(frames) || frames < 1 || !Number.isInteger(n) || n < 1 || data.length !== frames * n)
    throw new EmovoxParameterError('prob', `must be a non-empty frames x states matrix`);
  if (transition.states !== n)
    throw new EmovoxParameterError('transition', `has ${transition.states} states, prob has ${n}`);
  for (let i = 0; i < data.length; i++) {
    if (!(data[i] >= 0 && data[i] <= 1))
      throw new EmovoxParameterError('prob', `value ${i} is ${data[i]}, must lie in [0, 1]`);
  }
  const eps = data instanceof Float32Array ? TINY32 : TINY64;
  const logInit = new Float64Array(n);
  if (options?.pInit === undefined) logInit.fill(Math.log(1.0 / n + eps));
  else {
    const p = options.pInit;
    let sum = 0;
    for (let i = 0; i < p.length; i++) sum += p[i];
    if (
      p.length !== n ||
      Array.prototype.some.call(p, (v: number) => !(v >= 0)) ||
      !(Math.abs(sum - 1) <= 1e-5 + 1e-8)
    )
      throw new EmovoxParameterError('pInit', `must be ${n} non-negative values summing to 1`);
    for (let i = 0; i < n; i++) logInit[i] = Math.log(p[i] + eps);
  }
  let value = new Float64Array(n);
  let next = new Float64Array(n);
  const ptr = new Int32Array(frames * n);
  for (let j = 0; j < n; j++) value[j] = Math.log(data[j] + eps) + logInit[j];
  const step = 'data' in transition ? denseStep(transition) : sparseStep(transition);
  for (let t = 1; t < frames; t++) {
    step(value, next, ptr, t * n);
    const off = t * n;
    for (let j = 0; j < n; j++) next[j] += Math.log(data[off + j] + eps);
    const swap = value;
    value = next;
    next = swap;
  }
  const states = new Int32Array(frames);
  states[frames - 1] = argmax(value);
  for (let t = frames - 2; t >= 0; t--) states[t] = ptr[(t + 1) * n + states[t + 1]];
  return { states, logp: value[states[frames - 1]] };
}

type Step = (value: Float64Array, next: Float64Array, ptr: Int32Array, ptrOff: number) => void;

/** One dense Viterbi step: next[j] = max_i value[i] + logT[i, j] (first max), pointers set. */
function denseStep(t: Transition): Step {
  checkTransition(t);
  const n = t.states;
  // transposed logs: the inner loop runs over sources with unit stride
  const logT = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) logT[j * n + i] = Math.log(t.data[i * n + j] + TINY64);
  return (value, next, ptr, ptrOff) => {
    for (let j = 0; j < n; j++) {
      const o = j * n;
      let best = value[0] + logT[o];
      let arg = 0;
      for (let i = 1; i < n; i++) {
        const v = value[i] + logT[o + i];
        if (v > best) {
          best = v;
          arg = i;
        }
      }
      next[j] = best;
      ptr[ptrOff + j] = arg;
    }
  };
}

/**
 * One sparse Viterbi step. Each column's runs of consecutive sources are bounded by
 * `max(value over the run's blocks of 16 states) + max(log T in the run)`; the run with the
 * largest bound is scanned first and a run whose bound cannot beat the best so far is skipped.
 * IEEE addition is monotonic, so a skipped run holds no larger candidate; ties go to the lowest
 * source index whatever the scan order, as numpy's argmax does in source order.
 */
function sparseStep(t: SparseTransition): Step {
  const n = t.states;
  const { colStart, source, logProb, runStart, runCol, runMax } = t;
  const LOG_BLOCK = 4;
  const BLOCK = 1 << LOG_BLOCK;
  const blocks = Math.ceil(n / BLOCK);
  const blockMax = new Float64Array(blocks);
  let maxRuns = 0;
  for (let j = 0; j < n; j++) maxRuns = Math.max(maxRuns, runCol[j + 1] - runCol[j]);
  const bound = new Float64Array(maxRuns);
  const done = new Uint8Array(maxRuns);
  return (value, next, ptr, ptrOff) => {
    for (let b = 0; b < blocks; b++) {
      let m = -Infinity;
      const end = Math.min(n, (b + 1) * BLOCK);
      for (let i = b * BLOCK; i < end; i++) if (value[i] > m) m = value[i];
      blockMax[b] = m;
    }
    for (let j = 0; j < n; j++) {
      const r0 = runCol[j];
      const runs = runCol[j + 1] - r0;
      for (let q = 0; q < runs; q++) {
        const a = runStart[r0 + q];
        const e = runStart[r0 + q + 1];
        let m = -Infinity;
        const b1 = source[e - 1] >> LOG_BLOCK;
        for (let b = source[a] >> LOG_BLOCK; b <= b1; b++) if (blockMax[b] > m) m = blockMax[b];
        bound[q] = m + runMax[r0 + q];
        done[q] = 0;
      }
      let best = -Infinity;
      let arg = runs > 0 ? source[colStart[j]] : 0;
      let first = true;
      for (let left = runs; left > 0; left--) {
        // the remaining run with the largest bound (the earliest on equal bounds)
        let q = -1;
        for (let c = 0; c < runs; c++) if (done[c] === 0 && (q < 0 || bound[c] > bound[q])) q = c;
        done[q] = 1;
        const a = runStart[r0 + q];
        const s0 = source[a];
        // a tie beats the best so far only when this run comes before it in source order
        let tie = first || s0 < arg;
        if (bound[q] < best || (bound[q] === best && !tie)) continue;
        first = false;
        const len = runStart[r0 + q + 1] - a;
        for (let k = 0; k < len; k++) {
          const v = value[s0 + k] + logProb[a + k];
          if (v > best || (tie && v === best)) {
            best = v;
            arg = s0 + k;
            tie = false;
          }
        }
      }
      next[j] = best;
      ptr[ptrOff + j] = arg;
    }
  };
}
