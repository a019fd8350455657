import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EmovoxParameterError } from '../../src/util/errors.js';
import { checkOutputPaths } from '../../src/util/output-paths.js';

test('checkOutputPaths refuses inputs (also through links), wrong extensions, special files, duplicates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-outpaths-'));
  try {
    const input = join(dir, 'a.wav');
    writeFileSync(input, 'RIFF');
    mkdirSync(join(dir, 'in'));
    const refused = (outputs: string[], options: Parameters<typeof checkOutputPaths>[1], pattern: RegExp) =>
      assert.throws(
        () => checkOutputPaths(outputs, options),
        (e: unknown) => e instanceof EmovoxParameterError && e.source === '--out' && pattern.test(e.problem),
      );
    refused([input], { inputs: [input], parameter: '--out' }, /is the input .*a\.wav; refusing to overwrite/);
    symlinkSync(input, join(dir, 'link.npy'));
    refused([join(dir, 'link.npy')], { inputs: [input], parameter: '--out' }, /is the input/);
    linkSync(input, join(dir, 'hard.npy'));
    refused([join(dir, 'hard.npy')], { inputs: [input], parameter: '--out' }, /is the input/);
    refused([join(dir, 'x.wav')], { extension: '.npy', parameter: '--out' }, /must end in \.npy/);
    refused([join(dir, 'in')], { parameter: '--out' }, /is a directory, not a regular file/);
    refused(['/dev/null'], { parameter: '--out' }, /is a character device/);
    refused([join(dir, 'x.npy'), join(dir, '.', 'x.npy')], { parameter: '--out' }, /same file as the output/);
    refused(
      [join(dir, 'in', 'run', 'x.npy')],
      { inputs: [join(dir, 'in')], outsideInputFolders: true, parameter: '--out' },
      /lies inside the input folder/,
    );
    // Accepted: a new file beside the inputs, a file inside an input folder when allowed, upper-case extension.
    checkOutputPaths([join(dir, 'x.NPY'), join(dir, 'in', 'x.npy')], {
      inputs: [input, join(dir, 'in')],
      extension: '.npy',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
