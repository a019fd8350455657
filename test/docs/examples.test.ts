// Every `@example` block in the TSDoc of src/ is real code: each is written out as a module that
// imports from the package ('emovox', 'emovox/report', ... as package.json `exports` names them,
// mapped to the sources) and the lot is type-checked with tsc. A canary example with a type
// error proves the check can fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/data.js';
import { sourceFiles } from '../helpers/module-graph.js';

/** The main public functions: each must carry an example. */
const MUST_HAVE_EXAMPLE = [
  'loadAudio',
  'melSpectrogram',
  'mfcc',
  'featureSpec',
  'extractFeatures',
  'recognize',
  'classificationMetrics',
  'exportOnnx',
  'runExperiment',
];

interface Example {
  /** The exported name the comment documents. */
  readonly name: string;
  /** `src/x.ts:line` of the comment. */
  readonly at: string;
  readonly code: string;
}

/** The fenced code of every `@example` in the TSDoc comments of `file` (repository-relative). */
export function examplesIn(file: string, text = readFileSync(join(repoRoot, file), 'utf8')): Example[] {
  const out: Example[] = [];
  for (const comment of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const body = comment[1]
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n');
    if (!body.includes('@example')) continue;
    const after = text.slice(comment.index + comment[0].length);
    const name =
      /^\s*export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|abstract\s+class)\s+([A-Za-z_$][\w$]*)/.exec(
        after,
      )?.[1] ?? /^\s*(?:static\s+)?(?:async\s+)?([A-Za-z_$][\w$]*)\s*[(<]/.exec(after)?.[1];
    const line = text.slice(0, comment.index).split('\n').length;
    assert.ok(name, `${file}:${line}: an @example on something that is not a named declaration`);
    for (const tag of body.split('@example').slice(1)) {
      const fence = /^[^\n]*\n\s*```(?:ts|typescript)\n([\s\S]*?)\n\s*```/.exec(tag);
      assert.ok(fence, `${file}:${line}: @example of ${name} without a \`\`\`ts fenced block`);
      out.push({ name, at: `${file}:${line}`, code: fence[1] });
    }
  }
  return out;
}

/** `emovox`, `emovox/report`, ... → the source file each entry point's types come from. */
function entryPointPaths(): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  const paths: Record<string, string[]> = {};
  for (const [key, target] of Object.entries(pkg.exports)) {
    const types = typeof target === 'string' ? undefined : target.types;
    if (types === undefined) continue;
    const source = types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts');
    paths[key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`] = [join(repoRoot, source)];
  }
  return paths;
}

const examples = sourceFiles('src').flatMap((file) => examplesIn(file));

test('the example extractor reads fenced blocks and names what they document', () => {
  const text = [
    '/**',
    ' * Adds.',
    ' * @example',
    ' * ```ts',
    " * import { add } from 'emovox';",
    ' * add(1, 2);',
    ' * ```',
    ' */',
    'export function add(a: number, b: number): number {',
    '  return a + b;',
    '}',
  ].join('\n');
  assert.deepEqual(examplesIn('src/x.ts', text), [
    { name: 'add', at: 'src/x.ts:1', code: "import { add } from 'emovox';\nadd(1, 2);" },
  ]);
});

test('the main public functions carry an @example', () => {
  const documented = new Set(examples.map((e) => e.name));
  assert.deepEqual(
    MUST_HAVE_EXAMPLE.filter((name) => !documented.has(name)),
    [],
  );
});

test('every @example imports only from the package and type-checks', () => {
  const paths = entryPointPaths();
  assert.ok(paths.emovox, 'package.json exports the root entry');
  for (const e of examples) {
    for (const m of e.code.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)) {
      const ok = m[1] in paths || m[1].startsWith('node:');
      assert.ok(ok, `${e.at}: the example of ${e.name} imports ${m[1]}, not an entry point of the package`);
    }
  }
  // Inside the repository (gitignored .cache/) so the package.json `type: module` and the
  // installed type packages apply as they do for a user's project.
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, '.cache', 'examples-'));
  try {
    const files = examples.map((e, i) => {
      const file = `${String(i).padStart(3, '0')}-${e.name}.ts`;
      writeFileSync(join(dir, file), `// ${e.at}\n${e.code}\n`);
      return { file, example: e };
    });
    writeFileSync(
      join(dir, 'canary.ts'),
      "import { featureSpec } from 'emovox';\nexport const wrong: number = featureSpec('mfcc40').name;\n",
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(repoRoot, 'tsconfig.json'),
        compilerOptions: { noEmit: true, paths, typeRoots: [join(repoRoot, 'node_modules', '@types')] },
        include: ['*.ts'],
        exclude: [],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const errors = run.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    assert.ok(
      errors.some((line) => line.startsWith('canary.ts')),
      `the canary's type error went unseen:\n${run.stdout}${run.stderr}`,
    );
    const real = errors.filter((line) => !line.startsWith('canary.ts'));
    const where = (line: string) => {
      const hit = files.find((f) => line.startsWith(f.file));
      return hit ? `${hit.example.at} (@example of ${hit.example.name}): ${line}` : line;
    };
    assert.deepEqual(real.map(where), []);
    assert.ok(files.length >= MUST_HAVE_EXAMPLE.length, `only ${files.length} examples found`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
