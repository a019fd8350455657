// The Python that has PyTorch (Debian's python3-torch), for tests that build reference models at
// test time; they skip with torchSkip()'s message when there is none.
import { spawnSync } from 'node:child_process';

let cached: string | null | undefined;

/** A python3 that imports torch, or undefined. */
export function torchPython(): string | undefined {
  if (cached === undefined) {
    cached = null;
    for (const python of ['/usr/bin/python3', 'python3']) {
      const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
      if (r.status === 0) {
        cached = python;
        break;
      }
    }
  }
  return cached ?? undefined;
}

/** Skip reason for node:test: false when PyTorch is available. */
export function torchSkip(): string | false {
  return torchPython() ? false : 'python3-torch not installed: the PyTorch reference model cannot be built';
}
