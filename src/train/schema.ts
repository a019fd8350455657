import { EmovoxParameterError } from '../util/errors.js';

// A small declarative schema for recipes: every key has a type and a default, unknown keys are
// errors that name the key's full path, and the resolved recipe has every default filled in.

/** One key's rule. */
export type Rule =
  | {
      type: 'number';
      default?: number | null;
      min?: number;
      max?: number;
      integer?: boolean;
      nullable?: boolean;
      doc: string;
    }
  | { type: 'string'; default?: string | null; nullable?: boolean; doc: string }
  | { type: 'boolean'; default?: boolean; doc: string }
  | {
      type: 'enum';
      values: readonly string[];
      default?: string | null;
      nullable?: boolean;
      doc: string;
      pattern?: RegExp;
    }
  | {
      type: 'list';
      of: Rule;
      default?: unknown[] | null;
      nullable?: boolean;
      doc: string;
      /** Parses the one-string form of the list (e.g. a comma-separated value on the command line). */
      shorthand?: (v: string) => unknown;
    }
  | { type: 'object'; fields: Record<string, Rule>; nullable?: boolean; defaultNull?: boolean; doc: string }
  | { type: 'map'; of: Rule; default?: Record<string, unknown>; doc: string }
  /** Free-form JSON object (passed through, e.g. a model config or augmentation params). */
  | { type: 'json'; default?: unknown; doc: string };

function fail(path: string, problem: string): never {
  throw new EmovoxParameterError(path, problem);
}

function describe(value: unknown): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'an object'
        : JSON.stringify(value);
}

/**
 * Resolves `value` against `rule`: checks types and ranges, fills defaults, rejects unknown keys.
 * @param path - the key's dotted path, used in every error (e.g. `training.optimizer.lr`).
 * @throws EmovoxParameterError(path, problem).
 */
export function resolveRule(rule: Rule, value: unknown, path: string): unknown {
  if (value === undefined) {
    if (rule.type === 'object') return rule.defaultNull ? null : resolveRule(rule, {}, path);
    if (rule.type === 'map') return structuredClone(rule.default ?? {});
    if (rule.type === 'json') return structuredClone(rule.default ?? null);
    const d = (rule as { default?: unknown }).default;
    if (d === undefined) fail(path, 'is required');
    return structuredClone(d);
  }
  if (value === null) {
    if ((rule as { nullable?: boolean }).nullable || rule.type === 'json') return null;
    if (rule.type === 'object' && rule.defaultNull) return null;
    fail(path, 'must not be null');
  }
  switch (rule.type) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        fail(path, `must be a number, got ${describe(value)}`);
      if (rule.integer && !Number.isInteger(value)) fail(path, `must be an integer, got ${value}`);
      if (rule.min !== undefined && value < rule.min) fail(path, `must be >= ${rule.min}, got ${value}`);
      if (rule.max !== undefined && value > rule.max) fail(path, `must be <= ${rule.max}, got ${value}`);
      return value;
    }
    case 'string':
      if (typeof value !== 'string') fail(path, `must be a string, got ${describe(value)}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') fail(path, `must be true or false, got ${describe(value)}`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !(rule.values.includes(value) || rule.pattern?.test(value))) {
        fail(path, `must be one of ${rule.values.join(', ')}, got ${describe(value)}`);
      }
      return value;
    case 'list': {
      const list = typeof value === 'string' && rule.shorthand ? rule.shorthand(value) : value;
      if (!Array.isArray(list)) fail(path, `must be a list, got ${describe(value)}`);
      return list.map((v, i) => resolveRule(rule.of, v, `${path}[${i}]`));
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value))
        fail(path, `must be an object, got ${describe(value)}`);
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          resolveRule(rule.of, v, `${path}.${k}`),
        ]),
      );
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value))
        fail(path, `must be an object, got ${describe(value)}`);
      const v = value as Record<string, unknown>;
      for (const key of Object.keys(v)) {
        if (!(key in rule.fields)) {
          fail(
            path === '' ? key : `${path}.${key}`,
            `unknown key (known here: ${Object.keys(rule.fields).join(', ')})`,
          );
        }
      }
      const out: Record<string, unknown> = {};
      for (const [key, r] of Object.entries(rule.fields))
        out[key] = resolveRule(r, v[key], path === '' ? key : `${path}.${key}`);
      return out;
    }
    case 'json':
      return structuredClone(value);
  }
}

/** Lines documenting every key of a schema: `path | type | default | description`. */
export function documentRule(rule: Rule, path = ''): string[] {
  if (rule.type === 'object') {
    const rows =
      rule.defaultNull && path !== ''
        ? [row(path, 'object or null', 'null', rule.doc)]
        : path !== ''
          ? [row(path, 'object', '', rule.doc)]
          : [];
    for (const [key, r] of Object.entries(rule.fields))
      rows.push(...documentRule(r, path === '' ? key : `${path}.${key}`));
    return rows;
  }
  if (rule.type === 'list' && rule.of.type === 'object') {
    return [
      row(path, 'list', rule.default === undefined ? 'required' : JSON.stringify(rule.default), rule.doc),
      ...documentRule(rule.of, `${path}[]`),
    ];
  }
  if (rule.type === 'map' && rule.of.type === 'object') {
    return [
      row(path, 'map', JSON.stringify(rule.default ?? {}), rule.doc),
      ...documentRule(rule.of, `${path}.<name>`),
    ];
  }
  const type =
    rule.type === 'enum'
      ? rule.values.map((v) => `\`${v}\``).join(' \\| ')
      : rule.type === 'number'
        ? rule.integer
          ? 'integer'
          : 'number'
        : rule.type === 'list'
          ? `list of ${rule.of.type}`
          : rule.type;
  const d = (rule as { default?: unknown }).default;
  return [
    row(
      path,
      `${type}${(rule as { nullable?: boolean }).nullable ? ' or null' : ''}`,
      d === undefined ? (rule.type === 'json' || rule.type === 'map' ? '{}' : 'required') : JSON.stringify(d),
      rule.doc,
    ),
  ];
}

function row(path: string, type: string, def: string, doc: string): string {
  return `| \`${path}\` | ${type} | ${def === '' ? '' : `\`${def}\``} | ${doc} |`;
}

/**
 * Sets `key` (dotted path, list indices as `corpora.0.path` or `corpora[0].path`) in a plain
 * object, creating objects on the way; returns the object.
 */
export function setPath(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const parts = key
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p !== '');
  if (parts.length === 0) fail('--set', `empty key in ${key}`);
  let node: Record<string, unknown> | unknown[] = target;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const container = node as Record<string, unknown>;
    if (last) {
      container[part] = value;
      return;
    }
    let next = container[part];
    if (next === undefined || next === null || typeof next !== 'object') {
      next = /^\d+$/.test(parts[i + 1]) ? [] : {};
      container[part] = next;
    }
    node = next as Record<string, unknown>;
  });
  return target;
}
