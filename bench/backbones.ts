// One training epoch of cnn2d vs the image backbones on 128x128 one-channel images (random data,
// batch 32, Adam), on the libtorch engine: seconds per epoch and the ratio to cnn2d, measured in
// the same run. Run: nice -n 10 node --import tsx bench/backbones.ts [images=128] [repeats=3]
import { Adam, manualSeed, ops, tidy } from '../src/engine/index.js';
import { buildModel } from '../src/models/zoo.js';
import type { ModelConfig } from '../src/models/config.js';

const images = Number(process.argv[2] ?? 128);
const repeats = Number(process.argv[3] ?? 3);
const configs: Record<string, ModelConfig> = {
  cnn2d: { kind: 'cnn2d', inputShape: [1, 128, 128], classes: 8 },
  resnet18: { kind: 'resnet', depth: 18, inputShape: [1, 128, 128], classes: 8 },
  efficientnetB0: { kind: 'efficientnetB0', inputShape: [1, 128, 128], classes: 8 },
};

function epoch(config: ModelConfig): number {
  manualSeed(0);
  const model = buildModel(config);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  model.train();
  const started = performance.now();
  for (let s = 0; s < images; s += 32) {
    const n = Math.min(32, images - s);
    tidy(() => {
      const x = ops.randn([n, 1, 128, 128]);
      const y = ops.randint(0, 8, [n]);
      const loss = ops.crossEntropy(model.forward({ spectrogram: x }), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
  }
  const seconds = (performance.now() - started) / 1000;
  opt.dispose();
  model.dispose();
  return seconds;
}

const results: Record<string, number[]> = {};
for (let r = 0; r < repeats; r++)
  for (const [name, config] of Object.entries(configs)) (results[name] ??= []).push(epoch(config));
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const base = median(results.cnn2d);
for (const [name, times] of Object.entries(results)) {
  console.log(
    `${name.padEnd(15)} median ${median(times).toFixed(2)} s/epoch of ${images} images (runs ${times.map((t) => t.toFixed(2)).join(', ')}), ${(median(times) / base).toFixed(1)}x cnn2d`,
  );
}
