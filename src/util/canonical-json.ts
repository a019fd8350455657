/**
 * JSON with object keys sorted at every level, so equal values always serialise (and hash)
 * equally whatever order their keys were written in. Keys whose value is `undefined` are left
 * out, as `JSON.stringify` does. Pure (no Node API), usable in the browser.
 *
 * @param value - null, booleans, finite numbers, strings, arrays and plain objects of these.
 * @throws TypeError for non-finite numbers (JSON would silently turn them into null) and for
 *   values JSON cannot hold (functions, symbols, bigints, top-level undefined).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: cannot serialise a ${typeof value}`);
}
