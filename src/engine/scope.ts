/**
 * Deterministic memory release for engine tensors, modelled on tfjs `tidy`: every tensor created
 * while a scope is open is disposed when the scope closes, unless it is returned from the scope
 * function or was `keep()`-ed. Nothing relies on garbage-collector finalizers.
 */

import { EmovoxParameterError } from '../util/errors.js';

/** Something a scope can dispose; Tensor extends it. */
export abstract class ScopedResource {
  /** True once `keep()` took this resource out of automatic scope disposal. */
  kept = false;
  /** Frees the resource now (idempotent). */
  abstract dispose(): void;
  abstract get isDisposed(): boolean;
}

const scopes: Set<ScopedResource>[] = [];

/** Registers a freshly created resource with the innermost open scope (no-op outside scopes). */
export function track<T extends ScopedResource>(resource: T): T {
  const top = scopes[scopes.length - 1];
  if (top) top.add(resource);
  return resource;
}

/** Every ScopedResource reachable from `value` through arrays, Maps, Sets and plain objects. */
function collect(value: unknown, out: Set<ScopedResource>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof ScopedResource) {
    out.add(value);
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) collect(item, out, seen);
  } else if (value instanceof Map) {
    for (const item of value.values()) collect(item, out, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    for (const item of Object.values(value)) collect(item, out, seen);
  }
}

/**
 * Runs `fn` in a new scope and disposes every tensor created inside it when it returns (or throws),
 * except tensors contained in the return value (tensor, array, Map, Set or plain object of tensors)
 * and tensors passed to `keep()`. Returned tensors move to the enclosing scope, if any.
 *
 * @param fn synchronous function; a returned Promise is refused because tensors created after its
 *   first `await` could not be attributed to this scope.
 * @returns what `fn` returns.
 * @example
 * ```ts
 * import { ops, tidy } from 'emovox';
 *
 * const w = ops.randn([4, 3]);
 * const x = ops.randn([8, 4]);
 * const y = ops.tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: 'int64' });
 * // The logits are freed when tidy returns; the returned loss is kept.
 * const loss = tidy(() => ops.crossEntropy(x.matmul(w), y));
 * console.log(loss.item());
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<ScopedResource>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const r of scope) if (!r.kept) r.dispose();
    throw error;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const r of scope) if (!r.kept) r.dispose();
    throw new EmovoxParameterError('fn', 'tidy(fn): must be synchronous (it returned a Promise)');
  }
  const returned = new Set<ScopedResource>();
  collect(result, returned, new Set());
  const parent = scopes[scopes.length - 1];
  for (const r of scope) {
    if (returned.has(r)) parent?.add(r);
    else if (!r.kept) r.dispose();
  }
  return result;
}

/**
 * Exempts `resource` from disposal by any enclosing `tidy` scope (it must then be disposed
 * explicitly). Use it for model parameters, optimizer-owned state and running statistics.
 * @returns the same resource, for chaining.
 */
export function keep<T extends ScopedResource>(resource: T): T {
  resource.kept = true;
  for (const scope of scopes) scope.delete(resource);
  return resource;
}

/**
 * Disposes every tensor reachable from `value` (a tensor, or arrays / Maps / Sets / plain objects
 * of tensors) now, kept or not. Disposing twice is harmless.
 */
export function dispose(value: unknown): void {
  const found = new Set<ScopedResource>();
  collect(value, found, new Set());
  for (const r of found) r.dispose();
}

/** Depth of open `tidy` scopes (0 outside any); for diagnostics and tests. */
export function scopeDepth(): number {
  return scopes.length;
}
