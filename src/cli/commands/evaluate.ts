import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandModule } from './index.js';
import { defaultRunFolder } from './train.js';

interface EvaluateCliOptions {
  out?: string;
  cache?: string | false;
  json?: boolean;
}

/** `emovox evaluate`: a saved model on other data (cross-corpus), with the same report files. */
export const evaluateCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('evaluate')
      .description(
        "Evaluate a model bundle (the model/ folder of a run) on corpora: the bundle's preprocessing, " +
          'features, normalisation and calibration, its ONNX model through onnxruntime (no libtorch); ' +
          'metrics per corpus, metrics.json, report.txt, confusion.png, report.html. Items with labels the ' +
          'model does not know are skipped and counted.',
      )
      .argument('<bundle>', 'model bundle folder or .emovox file')
      .argument('<corpora...>', 'corpus folders (or manifests)')
      .option('-o, --out <dir>', 'report folder (default runs/evaluate-<bundle>-<time>)')
      .option('--cache <dir>', 'feature cache folder')
      .option('--no-cache', 'do not read or write the feature cache')
      .option('--json', 'print a JSON summary on stdout')
      .action(async (bundle: string, corpora: string[], options: EvaluateCliOptions) => {
        const { evaluateBundle, ProgressReporter } = await import('../../train/experiments.js');
        const reporter = new ProgressReporter(!options.json && process.stderr.isTTY === true);
        const name =
          basename(resolve(bundle)) === 'model' ? basename(resolve(bundle, '..')) : basename(resolve(bundle));
        const out = resolve(options.out ?? defaultRunFolder(`evaluate-${name}`));
        const result = await evaluateBundle(bundle, corpora, {
          out,
          cache: options.cache === false ? false : options.cache,
          onEvent: options.json ? undefined : (e) => reporter.handle(e),
        });
        reporter.close();
        if (options.json) {
          console.log(
            JSON.stringify({
              bundle: result.bundle,
              corpora: result.corpora.map((c) => ({
                corpus: c.corpus,
                n: c.metrics.n,
                ua: c.metrics.ua,
                wa: c.metrics.wa,
                macroF1: c.metrics.macroF1,
              })),
              skipped: result.skipped.length,
              files: result.files,
            }),
          );
          return;
        }
        for (const c of result.corpora) {
          console.error(
            `${c.corpus}: UA ${(100 * c.metrics.ua).toFixed(1)} %, WA ${(100 * c.metrics.wa).toFixed(1)} %, macro F1 ${(100 * c.metrics.macroF1).toFixed(1)} % (${c.metrics.n} items)`,
          );
        }
        if (result.skipped.length > 0)
          console.error(`${result.skipped.length} items skipped (see ${join(out, 'report.txt')})`);
        for (const f of result.files) console.error(`  ${f}`);
      });
  },
};
