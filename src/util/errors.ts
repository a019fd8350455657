/**
 * Error raised for input emovox cannot use: a bad audio file, an unparseable corpus name,
 * a wrong configuration. `source` names the file (or other input) and `problem` says what is
 * wrong with it, so batch tools can report "path: problem" and carry on with the next item.
 */
export class EmovoxInputError extends Error {
  readonly source: string;
  readonly problem: string;

  constructor(source: string, problem: string, options?: { cause?: unknown }) {
    super(`${source}: ${problem}`, options);
    this.name = 'EmovoxInputError';
    this.source = source;
    this.problem = problem;
  }
}

/** Message of any thrown value, for reports that must not crash on non-Error throws. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
