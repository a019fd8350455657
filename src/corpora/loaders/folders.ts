import { join } from 'node:path';
import { isAudioPath, parentName, sampleEvenly, stemOf } from '../files.js';
import { GENERIC_LABEL_ALIASES, genericLabel } from '../taxonomy.js';
import type { CorpusItem, CorpusListing, CorpusLoader, CorpusProblem } from '../types.js';

/**
 * Generic folder-per-label form: `<root>/<label>/**` audio, label = the folder directly holding
 * the file (mapped through the generic aliases: `Angry` -> angry, `joy` -> happy; other words
 * kept lower-cased). No speaker information: `speaker` is `''`. Detection counts folders whose
 * name is a known emotion word, and scores at most 0.5 so named corpora win.
 */
export const foldersLoader: CorpusLoader = {
  name: 'folders',
  title: 'folder per label',
  detect(listing) {
    const sample = sampleEvenly(listing.files.filter(isAudioPath));
    if (sample.length === 0) return 0;
    const known = sample.filter((f) =>
      Object.hasOwn(GENERIC_LABEL_ALIASES, parentName(f).trim().toLowerCase().replace(/\s+/g, ' ')),
    );
    return (known.length / sample.length) * 0.5;
  },
  async load(listing: CorpusListing) {
    const items: CorpusItem[] = [];
    const problems: CorpusProblem[] = [];
    for (const rel of listing.files.filter(isAudioPath)) {
      const folder = parentName(rel);
      if (folder === '') {
        problems.push({ source: join(listing.root, rel), problem: 'file is not inside a label folder' });
        continue;
      }
      items.push({
        path: join(listing.root, rel),
        corpus: 'folders',
        id: rel,
        label: genericLabel(folder),
        rawLabel: folder,
        speaker: '',
        meta: { name: stemOf(rel) },
      });
    }
    return { items, problems };
  },
};
