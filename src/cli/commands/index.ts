import type { Command } from 'commander';
import { corpusCommand } from './corpus.js';
import { demoCommand } from './demo.js';
import { evaluateCommand } from './evaluate.js';
import { featuresCommand } from './features.js';
import { infoCommand } from './info.js';
import { listenCommand } from './listen.js';
import { modelsCommand } from './models.js';
import { predictCommand } from './predict.js';
import { trainCommand } from './train.js';
import { tuneCommand } from './tune.js';

/** A CLI sub-command: registers itself (name, options, action) on the root program. */
export interface CommandModule {
  register(program: Command): void;
}

// One line per sub-command module; keep alphabetical.
export const commandModules: CommandModule[] = [
  corpusCommand,
  demoCommand,
  evaluateCommand,
  featuresCommand,
  infoCommand,
  listenCommand,
  modelsCommand,
  predictCommand,
  trainCommand,
  tuneCommand,
];
