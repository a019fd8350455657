/**
 * Root of every error emovox throws on purpose. Catch `EmovoxError` to tell emovox's own,
 * explained failures from bugs and platform errors.
 */
export class EmovoxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmovoxError';
  }
}

/**
 * Input emovox cannot use: a bad audio file, an unparseable corpus name, a wrong configuration.
 * `source` is the file path, or the argument / option name when the input is not a file;
 * `problem` says what is wrong with it. Batch tools report "source: problem" and go on with the
 * next item.
 */
export class EmovoxInputError extends EmovoxError {
  readonly source: string;
  readonly problem: string;

  constructor(source: string, problem: string, options?: { cause?: unknown }) {
    super(`${source}: ${problem}`, options);
    this.name = 'EmovoxInputError';
    this.source = source;
    this.problem = problem;
  }
}

/**
 * A bad option or argument (out of range, wrong type, inconsistent with another option), found
 * before any work starts. `source` is the parameter's name (`nMfcc`, `--workers`). It is an
 * {@link EmovoxInputError}, so batch code that reports input errors reports these too; the CLI
 * maps it to exit code 2 (usage error).
 */
export class EmovoxParameterError extends EmovoxInputError {
  constructor(parameter: string, problem: string, options?: { cause?: unknown }) {
    super(parameter, problem, options);
    this.name = 'EmovoxParameterError';
  }
}

/** Message of any thrown value, for reports that must not crash on non-Error throws. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
