import type { Command } from 'commander';

/** A CLI sub-command: registers itself (name, options, action) on the root program. */
export interface CommandModule {
  register(program: Command): void;
}

// One line per sub-command module; keep alphabetical.
export const commandModules: CommandModule[] = [];
