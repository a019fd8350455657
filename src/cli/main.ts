#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { commandModules } from './commands/index.js';

const program = new Command();
program
  .name('emovox')
  .description('Speech emotion recognition: corpora, audio, features, training and inference.')
  .version(VERSION);
for (const module of commandModules) module.register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
});
