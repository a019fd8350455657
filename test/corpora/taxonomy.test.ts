import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CANONICAL_LABELS,
  RAW_LABEL_MAPS,
  canonicalLabel,
  countItemsBy,
  genericLabel,
  mapLabels,
} from '../../src/corpora/taxonomy.js';
import { CORPUS_NAMES } from '../../src/corpora/load.js';
import type { CorpusItem } from '../../src/corpora/types.js';
import { repoRoot } from '../helpers/data.js';

const make = (label: string, rawLabel = label): CorpusItem => ({
  path: `/x/${label}.wav`,
  corpus: 'iemocap',
  id: label,
  label,
  rawLabel,
  speaker: 'Ses01F',
  meta: {},
});

describe('taxonomy', () => {
  it('maps the documented raw codes', () => {
    assert.equal(canonicalLabel('tess', 'ps'), 'surprised');
    assert.equal(canonicalLabel('emodb', 'L'), 'boredom');
    assert.equal(canonicalLabel('emodb', 'A'), 'fearful');
    assert.equal(canonicalLabel('emodb', 'W'), 'angry');
    assert.equal(canonicalLabel('emodb', 'E'), 'disgust');
    assert.equal(canonicalLabel('emodb', 'F'), 'happy');
    assert.equal(canonicalLabel('emodb', 'T'), 'sad');
    assert.equal(canonicalLabel('emovo', 'gio'), 'happy');
    assert.equal(canonicalLabel('emovo', 'pau'), 'fearful');
    assert.equal(canonicalLabel('emovo', 'rab'), 'angry');
    assert.equal(canonicalLabel('emovo', 'sor'), 'surprised');
    assert.equal(canonicalLabel('emovo', 'tri'), 'sad');
    assert.equal(canonicalLabel('asvp-esd', '11'), 'pain');
    assert.equal(canonicalLabel('emodb', 'toString'), undefined);
    assert.equal(canonicalLabel('nosuch', 'x'), undefined);
    assert.equal(genericLabel(' Anger '), 'angry');
    assert.equal(genericLabel('Pleasant Surprise'), 'surprised');
    assert.equal(genericLabel('Sarcastic'), 'sarcastic');
  });

  it('maps every raw code to a canonical label and every named corpus has a table', () => {
    const canonical = new Set<string>(CANONICAL_LABELS);
    for (const [corpus, table] of Object.entries(RAW_LABEL_MAPS)) {
      assert.ok(CORPUS_NAMES.includes(corpus), corpus);
      for (const label of Object.values(table)) assert.ok(canonical.has(label), `${corpus}: ${label}`);
    }
    for (const name of CORPUS_NAMES) {
      if (name !== 'manifest' && name !== 'folders') assert.ok(RAW_LABEL_MAPS[name], `table for ${name}`);
    }
  });

  it('docs/corpora.md lists exactly the mapping table of the code', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'corpora.md'), 'utf8');
    const rows = new Set<string>();
    for (const match of docs.matchAll(/^\|[ \t]*(\S+)[ \t]*\|[ \t]*`([^`]+)`[ \t]*\|[ \t]*(\S+)[ \t]*\|/gm))
      rows.add(`${match[1]} ${match[2]} ${match[3]}`);
    const expected = new Set<string>();
    for (const [corpus, table] of Object.entries(RAW_LABEL_MAPS)) {
      for (const [raw, label] of Object.entries(table)) expected.add(`${corpus} ${raw} ${label}`);
    }
    assert.deepEqual([...rows].sort(), [...expected].sort());
  });

  it('mapLabels merges, keeps and drops (IEMOCAP 4-class), without touching the input', () => {
    const items = ['happy', 'excited', 'angry', 'sad', 'neutral', 'frustrated', 'undecided'].map((l) =>
      make(l),
    );
    const four = mapLabels(items, {
      merge: { happy: ['happy', 'excited'] },
      keep: ['angry', 'sad', 'neutral', 'happy'],
    });
    assert.deepEqual(countItemsBy(four), { angry: 1, happy: 2, neutral: 1, sad: 1 });
    const excited = four.find((i) => i.rawLabel === 'excited')!;
    assert.equal(excited.meta.unmergedLabel, 'excited');
    assert.equal(items[1].label, 'excited');
    assert.deepEqual(countItemsBy(mapLabels(items, { drop: ['undecided', 'frustrated'] })), {
      angry: 1,
      excited: 1,
      happy: 1,
      neutral: 1,
      sad: 1,
    });
    assert.throws(
      () => mapLabels(items, { merge: { happy: ['excited'], positive: ['excited'] } }),
      /merged into both/,
    );
  });
});
