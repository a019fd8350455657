/** Licence or terms of the corpora emovox loads, for model cards (check each corpus's own terms). */
export const CORPUS_LICENCES: Readonly<Record<string, string>> = {
  ravdess: 'CC BY-NC-SA 4.0 (non-commercial, share-alike)',
  tess: 'CC BY-NC-ND 4.0 (non-commercial, no derivatives)',
  urdu: 'research use only',
  'crema-d': 'Open Database License 1.0 (contents: Database Contents License 1.0)',
  savee: 'free for research use (University of Surrey)',
  iemocap: 'IEMOCAP release agreement (research only, no redistribution)',
  emodb: 'free for research use (TU Berlin)',
  emovo: 'research use (FUB)',
  esd: 'research use only (ESD licence agreement)',
  'jl-corpus': 'CC0 1.0 as distributed on Kaggle; check the original terms',
  'asvp-esd': 'CC BY 4.0',
  mesd: 'CC BY 4.0',
  meld: 'GPL-3.0 (MELD repository)',
  'cmu-mosei': 'CMU Multimodal SDK terms (research)',
};

/** The licence text of a corpus, or a pointer to its own terms. */
export function corpusLicence(corpus: string): string {
  return CORPUS_LICENCES[corpus] ?? "see the corpus's own terms";
}

/**
 * The terms a model inherits from its training corpora: any non-commercial, no-derivatives or
 * research-only corpus makes the model non-commercial / research-only too.
 */
export function inheritedTerms(corpora: readonly string[]): string {
  const licences = [...new Set(corpora)].map((c) => `${c}: ${corpusLicence(c)}`);
  const restricted = corpora.some((c) => /NC|research|no redistribution|GPL/i.test(corpusLicence(c)));
  const head = restricted
    ? 'Non-commercial research use only: the model inherits the terms of its training data'
    : 'The model inherits the terms of its training data';
  return `${head} (${licences.join('; ')}).`;
}
