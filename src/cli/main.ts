#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { commandModules } from './commands/index.js';
import { errorLine, EXIT, exitCodeOf, installInterruptCleanup, isExplained } from './report.js';

installInterruptCleanup();
const program = new Command();
program
  .name('emovox')
  .description('Speech emotion recognition: corpora, audio, features, training and inference.')
  .version(VERSION)
  // Usage errors (unknown option, missing or bad value) exit 2, not commander's default 1,
  // so scripts can tell "you called it wrong" from "some files failed".
  .exitOverride();
for (const module of commandModules) module.register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // commander has printed its message already; help and --version end with exit code 0.
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  }
  console.error(
    isExplained(error) ? errorLine(error) : `internal error: ${(error as Error)?.stack ?? String(error)}`,
  );
  process.exit(exitCodeOf(error));
});
