import type { Command } from 'commander';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadAudio, readAudioInfo, saveAudio, trim } from '../../audio/index.js';
import { synthesizeSpeechLike } from '../../audio/synthetic.js';
import {
  logMelImage,
  mfcc,
  PROSODIC_NAMES,
  prosodicFeatures,
  vector180,
  VECTOR180_SAMPLE_RATE,
} from '../../features/index.js';
import { toPng } from '../../extract/png.js';
import type { CommandModule } from './index.js';

interface DemoOptions {
  out?: string;
  json?: boolean;
}

/** Runs the audio + feature pipeline on a synthesised utterance; needs no data and no downloads. */
async function demo(options: DemoOptions): Promise<void> {
  const outDir = resolve(options.out ?? mkdtempSync(join(tmpdir(), 'emovox-demo-')));
  mkdirSync(outDir, { recursive: true });
  const wavPath = join(outDir, 'speech-like.wav');
  saveAudio(wavPath, synthesizeSpeechLike({ sampleRate: 16000, durationS: 3, seed: 1 }), 16000, {
    bitDepth: 16,
  });
  const info = await readAudioInfo(wavPath);
  const native = await loadAudio(wavPath);
  const samples16k = native.samples;
  const { start, end } = trim(samples16k, { topDb: 40 });
  const mfccMatrix = mfcc(samples16k, 16000, { nMfcc: 40 });
  const at22k = await loadAudio(wavPath, { sr: VECTOR180_SAMPLE_RATE });
  const vector = vector180(at22k.samples, VECTOR180_SAMPLE_RATE);
  const prosody = prosodicFeatures(samples16k, 16000);
  const pngPath = join(outDir, 'logmel.png');
  toPng(logMelImage(samples16k, 16000), pngPath, { colormap: 'viridis' });

  const prosodyByName = Object.fromEntries(PROSODIC_NAMES.map((name, i) => [name, prosody.values[i]]));
  const summary = {
    audio: { path: wavPath, ...info },
    trim: { startS: start / 16000, endS: end / 16000 },
    mfcc40: { frames: mfccMatrix.frames, bins: mfccMatrix.bins },
    vector180: { length: vector.values.length, first: Array.from(vector.values.slice(0, 4)) },
    prosody: {
      f0SemitoneMean: prosodyByName.f0SemitoneMean,
      voicedRatio: prosodyByName.voicedRatio,
      jitterLike: prosodyByName.jitterLike,
    },
    image: pngPath,
  };
  if (options.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  console.log(`emovox demo: a synthesised 3 s speech-like utterance, through the feature pipeline`);
  console.log(`  audio     ${wavPath}`);
  console.log(
    `            ${info.format}, ${info.sampleRate} Hz, ${info.channels} ch, ${info.frames} frames, ${info.durationS.toFixed(3)} s`,
  );
  console.log(
    `  trim      voiced span ${summary.trim.startS.toFixed(3)}-${summary.trim.endS.toFixed(3)} s (top_db 40)`,
  );
  console.log(
    `  mfcc      ${mfccMatrix.frames} frames x ${mfccMatrix.bins} coefficients (16 kHz, n_fft 2048, hop 512)`,
  );
  console.log(
    `  vector180 ${vector.values.length} values (40 MFCC + 12 chroma + 128 mel means at 22050 Hz): ${summary.vector180.first.map((v) => v.toFixed(3)).join(', ')}, ...`,
  );
  console.log(
    `  prosody   f0 ${summary.prosody.f0SemitoneMean.toFixed(2)} st re 27.5 Hz, voiced ratio ${summary.prosody.voicedRatio.toFixed(2)}`,
  );
  console.log(`  image     ${pngPath} (128 x 128 log-mel, viridis)`);
}

export const demoCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('demo')
      .description('run the audio and feature pipeline on a synthesised utterance (no data needed)')
      .option('--out <dir>', 'folder for the demo files (default: a new temporary folder)')
      .option('--json', 'print one JSON summary')
      .action(demo);
  },
};
