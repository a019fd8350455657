// Colours of the emotions on the page: the Okabe-Ito palette (distinguishable with the common
// colour-vision deficiencies), the same colour for a label in the chart, the timeline and the
// current-emotion badge. Labels of other models get the remaining colours in order.

/** Colour of each label of the bundled model. */
const KNOWN: Record<string, string> = {
  neutral: '#7a7a7a',
  happy: '#e69f00',
  sad: '#0072b2',
  angry: '#d55e00',
  fearful: '#cc79a7',
  disgust: '#009e73',
  surprised: '#56b4e9',
  calm: '#999933',
};

const SPARE = ['#882255', '#44aa99', '#332288', '#ddcc77', '#117733', '#aa4499', '#88ccee'];

/**
 * A colour (CSS hex) for every label, in label order.
 * @param labels - the model's class names.
 */
export function labelColors(labels: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  let spare = 0;
  for (const label of labels) out[label] = KNOWN[label] ?? SPARE[spare++ % SPARE.length];
  return out;
}
