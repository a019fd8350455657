import { InvalidArgumentError } from 'commander';
import { removePendingTemporaryFiles } from '../util/atomic-file.js';
import { EmovoxError, EmovoxInputError, EmovoxParameterError, errorMessage } from '../util/errors.js';

/** Exit codes of every emovox command. */
export const EXIT = {
  /** Everything worked. */
  ok: 0,
  /** The command ran, but some items (files, folders, manifest rows) failed or an output could not be written. */
  failed: 1,
  /** The command line is wrong (unknown or missing option, bad value, refused output path): nothing was done. */
  usage: 2,
  /** Interrupted by SIGINT (128 + 2). */
  interrupted: 130,
} as const;

// C0 controls, DEL, C1 controls and the Unicode line / paragraph separators: anything that could
// break a "path: problem" line in two or drive a terminal.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function escapeChar(c: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  if (named[c]) return named[c];
  const code = c.charCodeAt(0);
  return code > 0xff
    ? `\\u${code.toString(16).padStart(4, '0')}`
    : `\\x${code.toString(16).padStart(2, '0')}`;
}

/**
 * A path as printed in one-line reports: unchanged when plain, else JSON-quoted with its control
 * characters escaped (`"bad\nname.wav"`), so a newline or an escape sequence in a file name can
 * neither split a report line nor reach the terminal.
 */
export function displayPath(path: string): string {
  return CONTROL.test(path) ? JSON.stringify(path).replace(/[\u007f-\u009f\u2028\u2029]/g, escapeChar) : path;
}

/** Message text with control characters escaped (`\n`, `\x1b`), for one-line reports. */
export function displayText(text: string): string {
  return text.replace(CONTROLS, escapeChar);
}

/** One report line: `path: problem`, both made safe for a terminal. */
export function problemLine(source: string, problem: string): string {
  return `${displayPath(source)}: ${displayText(problem)}`;
}

/** The report line of an error: `source: problem` for emovox input errors, its message otherwise. */
export function errorLine(error: unknown): string {
  if (error instanceof EmovoxInputError) return problemLine(error.source, error.problem);
  return displayText(errorMessage(error));
}

/** Exit code for an error that stopped a whole command (see {@link EXIT}). */
export function exitCodeOf(error: unknown): number {
  if (error instanceof EmovoxParameterError || error instanceof InvalidArgumentError) return EXIT.usage;
  return EXIT.failed;
}

/** Whether an error is one emovox raised on purpose (as opposed to a bug). */
export function isExplained(error: unknown): boolean {
  return error instanceof EmovoxError || error instanceof InvalidArgumentError;
}

/** Parses a non-negative integer option value (commander argParser). */
export function parseCount(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError('must be a non-negative integer');
  }
  return n;
}

/** Parses a positive number of seconds (commander argParser); `inf` / `Infinity` means no limit. */
export function parseSeconds(value: string): number {
  const n = /^(inf|infinity)$/i.test(value.trim()) ? Infinity : Number(value);
  if (value.trim() === '' || Number.isNaN(n) || !(n > 0)) {
    throw new InvalidArgumentError('must be a number of seconds > 0 (or inf)');
  }
  return n;
}

let installed = false;

/**
 * On SIGINT / SIGTERM: remove the temporary files of atomic writes in progress (so an
 * interrupted run leaves the previous outputs and nothing else), then exit 130 / 143. Safe to
 * call more than once.
 */
export function installInterruptCleanup(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [
    ['SIGINT', EXIT.interrupted],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      removePendingTemporaryFiles();
      process.stderr.write(`\ninterrupted (${signal}); outputs not written were left as they were\n`);
      process.exit(code);
    });
  }
}
