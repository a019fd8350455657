import {
  native,
  type DType,
  type Device,
  type NativeOperand,
  type NativeTensor,
  type TensorData,
} from './native.js';
import { ScopedResource, track } from './scope.js';

/** Tensor shape: sizes per dimension, outermost first. */
export type Shape = readonly number[];

/** Nested JS arrays of numbers, as accepted by `tensor()`. */
export type NestedNumbers = number | boolean | readonly NestedNumbers[];

/** A tensor or a plain number, for ops that broadcast scalars. */
export type TensorLike = Tensor | number;

/** Creation options shared by the tensor factories. */
export interface TensorOptions {
  /** Element type; default float32 (or the typed array's own type for typed-array data). */
  dtype?: DType;
  /** Device; default `cpu`. */
  device?: Device;
  /** Track gradients for this leaf tensor; default false. */
  requiresGrad?: boolean;
}

const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'bool'];

function operand(x: TensorLike): NativeOperand {
  return typeof x === 'number' ? x : x.handle;
}

/**
 * One libtorch tensor owned by the addon. Every op returns a new Tensor (registered with the
 * innermost `tidy` scope); in-place ops end in `_` as in PyTorch. Free memory with `tidy()` or
 * `dispose()`; finalizers are only a safety net.
 */
export class Tensor extends ScopedResource {
  /** @internal The addon's handle; use the methods instead. */
  readonly handle: NativeTensor;

  /** @internal Wraps a native handle; user code creates tensors with `tensor()`, `zeros()`, ops. */
  constructor(handle: NativeTensor) {
    super();
    this.handle = handle;
    track(this);
  }

  /** Sizes per dimension. */
  get shape(): number[] {
    return this.handle.shape();
  }
  /** Element type. */
  get dtype(): DType {
    return this.handle.dtype();
  }
  /** Device name (`cpu`, `cuda:0`). */
  get device(): string {
    return this.handle.device();
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.handle.shape().length;
  }
  /** Number of elements. */
  get numel(): number {
    return this.handle.shape().reduce((a, b) => a * b, 1);
  }
  /** Whether autograd records ops on this tensor. */
  get requiresGrad(): boolean {
    return this.handle.requiresGrad();
  }
  /** True after `dispose()`. */
  override get isDisposed(): boolean {
    return this.handle.isDisposed();
  }
  /** Size of dimension `dim` (negative counts from the end). */
  size(dim: number): number {
    const s = this.shape;
    return s[dim < 0 ? s.length + dim : dim];
  }

  /** Frees the storage now. Later use throws; disposing twice is harmless. */
  override dispose(): void {
    this.handle.dispose();
  }

  /** Sets `requiresGrad` in place (leaf tensors only); returns this. */
  requiresGrad_(flag = true): this {
    this.handle.setRequiresGrad(flag);
    return this;
  }

  /** Copies the elements (row-major) to a new typed array of the tensor's own dtype. */
  dataSync(): TensorData {
    return native().toData(this.handle);
  }
  /** Elements as Float32Array (converted if needed), row-major. */
  toFloat32Array(): Float32Array {
    const d = this.dataSync();
    return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>, Number);
  }
  /** Elements as Float64Array (converted if needed), row-major. */
  toFloat64Array(): Float64Array {
    const d = this.dataSync();
    if (d instanceof Float64Array) return d;
    if (d instanceof BigInt64Array) return Float64Array.from(d, Number);
    return Float64Array.from(d);
  }
  /** Elements as Int32Array (truncated if float), row-major. */
  toInt32Array(): Int32Array {
    const d = this.dataSync();
    if (d instanceof Int32Array) return d;
    if (d instanceof BigInt64Array) return Int32Array.from(d, Number);
    return Int32Array.from(d as ArrayLike<number>, (v) => Math.trunc(v));
  }
  /** Elements as BigInt64Array (int64 tensors), row-major. */
  toBigInt64Array(): BigInt64Array {
    const d = this.dataSync();
    if (d instanceof BigInt64Array) return d;
    return BigInt64Array.from(d as ArrayLike<number>, (v) => BigInt(Math.trunc(v)));
  }
  /** Elements as a flat number[] (row-major). */
  toArray(): number[] {
    return Array.from(this.toFloat64Array());
  }
  /** Value of a one-element tensor as a JS number. */
  item(): number {
    return native().item(this.handle);
  }

  // ---- conversions ----
  /**
   * Copy converted to a dtype and/or moved to a device, like torch's `x.to(...)`:
   * `to('float64')`, `to('cuda')`, `to('float32', 'cuda:1')`.
   */
  to(dtypeOrDevice: DType | string, device?: string): Tensor {
    const isDType = (DTYPES as readonly string[]).includes(dtypeOrDevice);
    const dtype = isDType ? (dtypeOrDevice as DType) : this.dtype;
    return new Tensor(native().to(this.handle, dtype, device ?? (isDType ? this.device : dtypeOrDevice)));
  }
  /** Copy on the CPU (this tensor itself is not changed). */
  cpu(): Tensor {
    return this.to('cpu');
  }
  /** float32 copy. */
  float(): Tensor {
    return this.to('float32');
  }
  /** float64 copy. */
  double(): Tensor {
    return this.to('float64');
  }
  /** int64 copy. */
  long(): Tensor {
    return this.to('int64');
  }
  /** Deep copy that stays in the autograd graph. */
  clone(): Tensor {
    return new Tensor(native().clone(this.handle));
  }
  /** Same storage, cut from the autograd graph. */
  detach(): Tensor {
    return new Tensor(native().detach(this.handle));
  }
  /** Contiguous (row-major) version. */
  contiguous(): Tensor {
    return new Tensor(native().contiguous(this.handle));
  }

  // ---- elementwise arithmetic (broadcasting) ----
  /** this + other. */
  add(other: TensorLike): Tensor {
    return binary('add', this, other);
  }
  /** this - other. */
  sub(other: TensorLike): Tensor {
    return binary('sub', this, other);
  }
  /** this * other. */
  mul(other: TensorLike): Tensor {
    return binary('mul', this, other);
  }
  /** this / other (true division). */
  div(other: TensorLike): Tensor {
    return binary('div', this, other);
  }
  /** this ** exponent. */
  pow(exponent: TensorLike): Tensor {
    return binary('pow', this, exponent);
  }
  /** Elementwise maximum. */
  maximum(other: TensorLike): Tensor {
    return binary('maximum', this, other);
  }
  /** Elementwise minimum. */
  minimum(other: TensorLike): Tensor {
    return binary('minimum', this, other);
  }
  /** this == other (bool). */
  eq(other: TensorLike): Tensor {
    return binary('eq', this, other);
  }
  /** this != other (bool). */
  ne(other: TensorLike): Tensor {
    return binary('ne', this, other);
  }
  /** this > other (bool). */
  gt(other: TensorLike): Tensor {
    return binary('gt', this, other);
  }
  /** this >= other (bool). */
  ge(other: TensorLike): Tensor {
    return binary('ge', this, other);
  }
  /** this < other (bool). */
  lt(other: TensorLike): Tensor {
    return binary('lt', this, other);
  }
  /** this <= other (bool). */
  le(other: TensorLike): Tensor {
    return binary('le', this, other);
  }
  /** Logical and of bool tensors. */
  logicalAnd(other: Tensor): Tensor {
    return binary('logical_and', this, other);
  }
  /** Logical or of bool tensors. */
  logicalOr(other: Tensor): Tensor {
    return binary('logical_or', this, other);
  }
  /** Logical not. */
  logicalNot(): Tensor {
    return unary('logical_not', this);
  }
  /** -this. */
  neg(): Tensor {
    return unary('neg', this);
  }
  /** |this|. */
  abs(): Tensor {
    return unary('abs', this);
  }
  /** e^this. */
  exp(): Tensor {
    return unary('exp', this);
  }
  /** Natural log. */
  log(): Tensor {
    return unary('log', this);
  }
  /** log(1 + this). */
  log1p(): Tensor {
    return unary('log1p', this);
  }
  /** Square root. */
  sqrt(): Tensor {
    return unary('sqrt', this);
  }
  /** 1 / sqrt(this). */
  rsqrt(): Tensor {
    return unary('rsqrt', this);
  }
  /** this². */
  square(): Tensor {
    return unary('square', this);
  }
  /** 1 / this. */
  reciprocal(): Tensor {
    return unary('reciprocal', this);
  }
  /** Sine. */
  sin(): Tensor {
    return unary('sin', this);
  }
  /** Cosine. */
  cos(): Tensor {
    return unary('cos', this);
  }
  /** Error function. */
  erf(): Tensor {
    return unary('erf', this);
  }
  /** Largest integer ≤ x (zero gradient). */
  floor(): Tensor {
    return unary('floor', this);
  }
  /** Smallest integer ≥ x (zero gradient). */
  ceil(): Tensor {
    return unary('ceil', this);
  }
  /** Round half to even (zero gradient). */
  round(): Tensor {
    return unary('round', this);
  }
  /** Python-style modulus (result has the divisor's sign). */
  remainder(other: TensorLike): Tensor {
    return binary('remainder', this, other);
  }
  /** Floor of this / other (integer division for int tensors, as torch.div(rounding_mode='floor')). */
  floorDivide(other: TensorLike): Tensor {
    return binary('floor_divide', this, other);
  }
  /** Sign (-1, 0, 1). */
  sign(): Tensor {
    return unary('sign', this);
  }
  /** Clamps to [min, max]; pass null to leave a side open. */
  clamp(min: number | null, max: number | null = null): Tensor {
    return new Tensor(native().clamp(this.handle, min, max));
  }

  // ---- activations ----
  /** max(0, x). */
  relu(): Tensor {
    return unary('relu', this);
  }
  /** Logistic sigmoid. */
  sigmoid(): Tensor {
    return unary('sigmoid', this);
  }
  /** Hyperbolic tangent. */
  tanh(): Tensor {
    return unary('tanh', this);
  }
  /** GELU; `approximate` 'none' (erf, PyTorch default) or 'tanh'. */
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    return new Tensor(native().gelu(this.handle, approximate));
  }
  /** ELU with `alpha` (default 1). */
  elu(alpha = 1): Tensor {
    return new Tensor(native().elu(this.handle, alpha));
  }
  /** Leaky ReLU with negative slope (default 0.01). */
  leakyRelu(negativeSlope = 0.01): Tensor {
    return new Tensor(native().leakyRelu(this.handle, negativeSlope));
  }
  /** SiLU / swish: x·sigmoid(x). */
  silu(): Tensor {
    return unary('silu', this);
  }
  /** Softmax along `dim` (default -1). */
  softmax(dim = -1): Tensor {
    return new Tensor(native().softmax(this.handle, dim));
  }
  /** Log-softmax along `dim` (default -1). */
  logSoftmax(dim = -1): Tensor {
    return new Tensor(native().logSoftmax(this.handle, dim));
  }

  // ---- linear algebra ----
  /** Matrix product with torch.matmul broadcasting rules. */
  matmul(other: Tensor): Tensor {
    return new Tensor(native().matmul(this.handle, other.handle));
  }

  // ---- shape ----
  /** Same data in a new shape (copies if not viewable); one size may be -1. */
  reshape(shape: Shape): Tensor {
    return new Tensor(native().reshape(this.handle, [...shape]));
  }
  /** View with a new shape (must be viewable, as torch.view). */
  view(shape: Shape): Tensor {
    return new Tensor(native().view(this.handle, [...shape]));
  }
  /** Reorders dimensions. */
  permute(dims: readonly number[]): Tensor {
    return new Tensor(native().permute(this.handle, [...dims]));
  }
  /** Swaps two dimensions. */
  transpose(dim0: number, dim1: number): Tensor {
    return new Tensor(native().transpose(this.handle, dim0, dim1));
  }
  /** Broadcasts to `shape` without copying (-1 keeps a size). */
  expand(shape: Shape): Tensor {
    return new Tensor(native().expand(this.handle, [...shape]));
  }
  /** Flattens dimensions startDim..endDim (defaults 0 and -1). */
  flatten(startDim = 0, endDim = -1): Tensor {
    return new Tensor(native().flatten(this.handle, startDim, endDim));
  }
  /** Removes size-1 dimension `dim`, or all size-1 dimensions when omitted. */
  squeeze(dim?: number): Tensor {
    return new Tensor(native().squeeze(this.handle, dim ?? null));
  }
  /** Inserts a size-1 dimension at `dim`. */
  unsqueeze(dim: number): Tensor {
    return new Tensor(native().unsqueeze(this.handle, dim));
  }
  /**
   * Elements start..end-1 (step `step`) along `dim`, as a view; like `x[..., start:end:step]`.
   * @param end exclusive; default: size of the dimension. Negative indices count from the end.
   */
  slice(dim: number, start: number, end: number = Number.MAX_SAFE_INTEGER, step = 1): Tensor {
    return new Tensor(native().slice(this.handle, dim, start, end, step));
  }
  /** Selects entries along `dim` by an int64/int32 index tensor. */
  indexSelect(dim: number, index: Tensor): Tensor {
    return new Tensor(native().indexSelect(this.handle, dim, index.handle));
  }
  /** torch.gather along `dim`. */
  gather(dim: number, index: Tensor): Tensor {
    return new Tensor(native().gather(this.handle, dim, index.handle));
  }
  /** Fills positions where bool `mask` is true with `value` (out of place). */
  maskedFill(mask: Tensor, value: number): Tensor {
    return new Tensor(native().maskedFill(this.handle, mask.handle, value));
  }

  // ---- reductions ----
  /** Sum over `dim` (number or list; all dims when omitted). */
  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce('sum', this, dim, keepdim);
  }
  /** Mean over `dim` (all dims when omitted). */
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce('mean', this, dim, keepdim);
  }
  /** Unbiased variance over `dim` (all when omitted). */
  var(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce('var', this, dim, keepdim);
  }
  /** Unbiased standard deviation over `dim` (all when omitted). */
  std(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce('std', this, dim, keepdim);
  }
  /** log(sum(exp)) over `dim`. */
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return reduce('logsumexp', this, dim, keepdim);
  }
  /** Maximum values over `dim` (all dims when omitted); differentiable. */
  amax(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce('amax', this, dim, keepdim);
  }
  /** Minimum values over `dim` (all dims when omitted); differentiable. */
  amin(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce('amin', this, dim, keepdim);
  }
  /** Euclidean norm over `dim` (all when omitted). */
  norm(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce('norm', this, dim, keepdim);
  }
  /** Max along `dim` with argmax indices, like torch.max(x, dim). */
  max(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [v, i] = native().maxDim(this.handle, dim, keepdim);
    return { values: new Tensor(v), indices: new Tensor(i) };
  }
  /** Min along `dim` with argmin indices, like torch.min(x, dim). */
  min(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [v, i] = native().minDim(this.handle, dim, keepdim);
    return { values: new Tensor(v), indices: new Tensor(i) };
  }
  /** Index of the maximum along `dim` (int64). */
  argmax(dim: number, keepdim = false): Tensor {
    return new Tensor(native().argmax(this.handle, dim, keepdim));
  }

  // ---- autograd ----
  /**
   * Back-propagates from this tensor into the `.grad` of every leaf that requires grad.
   * @param gradient seed gradient (required unless this is a scalar).
   * @param retainGraph keep the graph for another backward pass; default false.
   */
  backward(gradient?: Tensor, retainGraph = false): void {
    native().backward(this.handle, gradient?.handle ?? null, retainGraph);
  }
  /** The accumulated gradient as a new tensor sharing its storage, or null when none exists. */
  get grad(): Tensor | null {
    const g = native().grad(this.handle);
    return g ? new Tensor(g) : null;
  }
  /** Clears the accumulated gradient (sets it to none by default, as PyTorch ≥ 2 does). */
  zeroGrad(setToNone = true): void {
    native().zeroGrad(this.handle, setToNone);
  }

  // ---- in-place, untracked (initialisation / loading) ----
  /** Fills with U(low, high) in place, outside autograd; returns this. */
  uniform_(low = 0, high = 1): this {
    native().inplace('uniform', this.handle, low, high);
    return this;
  }
  /** Fills with N(mean, std²) in place, outside autograd; returns this. */
  normal_(mean = 0, std = 1): this {
    native().inplace('normal', this.handle, mean, std);
    return this;
  }
  /** Fills with `value` in place, outside autograd; returns this. */
  fill_(value: number): this {
    native().inplace('fill', this.handle, value, 0);
    return this;
  }
  /** Sets to zero in place, outside autograd; returns this. */
  zero_(): this {
    return this.fill_(0);
  }
  /** Copies `src` (same number of elements, broadcastable) into this, outside autograd; returns this. */
  copy_(src: Tensor): this {
    native().inplace('copy', this.handle, src.handle, 0);
    return this;
  }

  /** Short description: shape, dtype, device. */
  override toString(): string {
    return this.isDisposed
      ? 'Tensor(disposed)'
      : `Tensor(shape=[${this.shape}], dtype=${this.dtype}, device=${this.device})`;
  }
}

function unary(name: string, t: Tensor): Tensor {
  return new Tensor(native().unary(name, t.handle));
}

function binary(name: string, a: TensorLike, b: TensorLike): Tensor {
  return new Tensor(native().binary(name, operand(a), operand(b)));
}

function reduce(
  name: string,
  t: Tensor,
  dim: number | readonly number[] | undefined,
  keepdim: boolean,
): Tensor {
  const dims = dim === undefined ? null : typeof dim === 'number' ? [dim] : [...dim];
  return new Tensor(native().reduce(name, t.handle, dims, keepdim));
}

/** @internal Named-op helpers shared with ops.ts. */
export const internal = { unary, binary, operand };
