// A tiny RAVDESS-like corpus of synthetic speech-like clips, written once per process into a
// temporary folder: emotions differ in pitch, excursion and formants (plus a per-actor offset),
// so models can learn them and speaker-independent protocols have something to test.
import { after, before } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav, synthesizeSpeechLike } from '../../src/audio/index.js';

/** Options of {@link makeSyntheticRavdess}. */
export interface SyntheticCorpusOptions {
  /** Actors 1..n (default 24, so the 6 RAVDESS folds all have speakers). */
  actors?: number;
  /** RAVDESS emotion codes to include (default all 8: 01..08). */
  emotions?: number[];
  /** Statements per actor and emotion (1 or 2; default 1). */
  statements?: number;
  /** Clip length in seconds (default 0.6). */
  durationS?: number;
}

/**
 * Writes `<dir>/Actor_NN/03-01-EE-01-SS-01-NN.wav` files (16 kHz, 16-bit) and returns the
 * folder; remove it with `rmSync(dir, { recursive: true })`.
 */
export function makeSyntheticRavdess(options: SyntheticCorpusOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-synthetic-ravdess-'));
  const actors = options.actors ?? 24;
  const emotions = options.emotions ?? [1, 2, 3, 4, 5, 6, 7, 8];
  const statements = options.statements ?? 1;
  for (let a = 1; a <= actors; a++) {
    const actor = String(a).padStart(2, '0');
    mkdirSync(join(dir, `Actor_${actor}`), { recursive: true });
    for (const e of emotions) {
      for (let s = 1; s <= statements; s++) {
        const y = synthesizeSpeechLike({
          durationS: options.durationS ?? 0.6,
          f0Hz: 90 + 22 * e + (a % 2 === 0 ? 60 : 0) + (a % 5) * 3,
          f0Excursion: 0.05 + 0.04 * (e % 4),
          formantsHz: [500 + 60 * e, 1100 + 90 * ((e * 3) % 8), 2500 + 40 * a],
          seed: a * 100 + e * 10 + s,
        });
        const code = String(e).padStart(2, '0');
        writeFileSync(
          join(dir, `Actor_${actor}`, `03-01-${code}-01-0${s}-01-${actor}.wav`),
          encodeWav(y, 16000),
        );
      }
    }
  }
  return dir;
}

/** Removes a folder made by the helpers here. */
export function removeSynthetic(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * For a test file: a synthetic RAVDESS made before its tests and a scratch folder, both removed
 * after them. `corpus()` is valid once the tests run.
 */
export function syntheticRavdessFixture(
  prefix: string,
  options: SyntheticCorpusOptions,
): { temp: string; corpus: () => string } {
  const temp = mkdtempSync(join(tmpdir(), prefix));
  let corpus = '';
  before(() => {
    corpus = makeSyntheticRavdess(options);
  });
  after(() => {
    removeSynthetic(corpus);
    rmSync(temp, { recursive: true, force: true });
  });
  return { temp, corpus: () => corpus };
}
