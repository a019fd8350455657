import { resolveConfig, type ModelConfig } from './config.js';
import { planModel } from './plan.js';

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text + ' '.repeat(width - text.length);
}

/**
 * Keras-style summary of a model: one row per layer with its type, output shape (`None` for the
 * batch axis and other dynamic axes) and parameter count (BatchNorm counts its running mean and
 * variance, as Keras does), then total, trainable and non-trainable totals.
 * @param model - a model (anything with a `config`) or a configuration.
 * @returns the table as a multi-line string.
 */
export function summary(model: ModelConfig | { config: ModelConfig }): string {
  const config = resolveConfig('config' in model && typeof model.config === 'object' ? model.config : model);
  const rows = planModel(config);
  const widths = [48, 22, 12];
  const rule = (ch: string) => ch.repeat(widths[0] + widths[1] + widths[2]);
  const lines = [
    `Model: "${config.kind}"`,
    rule('_'),
    ` ${pad('Layer (type)', widths[0] - 1)}${pad('Output Shape', widths[1])}Param #`,
    rule('='),
  ];
  let trainable = 0;
  let frozen = 0;
  for (const row of rows) {
    const count = row.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    for (const p of row.params) {
      const size = p.shape.reduce((a, b) => a * b, 1);
      if (p.trainable) trainable += size;
      else frozen += size;
    }
    const shape = `(${row.outputShape.map((d) => (typeof d === 'number' ? String(d) : 'None')).join(', ')})`;
    lines.push(` ${pad(`${row.name} (${row.type})`, widths[0] - 1)}${pad(shape, widths[1])}${fmt(count)}`);
  }
  lines.push(
    rule('='),
    `Total params: ${fmt(trainable + frozen)}`,
    `Trainable params: ${fmt(trainable)}`,
    `Non-trainable params: ${fmt(frozen)}`,
    rule('_'),
  );
  return lines.join('\n');
}

/**
 * Parameter counts of a model configuration.
 * @returns trainable scalars, non-trainable (BatchNorm running statistics) and their sum.
 */
export function countParameters(config: ModelConfig): {
  total: number;
  trainable: number;
  nonTrainable: number;
} {
  let trainable = 0;
  let nonTrainable = 0;
  for (const row of planModel(config)) {
    for (const p of row.params) {
      const size = p.shape.reduce((a, b) => a * b, 1);
      if (p.trainable) trainable += size;
      else nonTrainable += size;
    }
  }
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}
