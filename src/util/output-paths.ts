import { realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { fileKind } from './atomic-file.js';
import { EmovoxParameterError } from './errors.js';

/** Options of {@link checkOutputPaths}. */
export interface OutputPathCheck {
  /** Files and folders the command reads; no output may be one of them (same file, links and hard links included). */
  readonly inputs?: readonly string[];
  /** Required extension of every output, lower case with its dot (e.g. `.npy`); default: any. */
  readonly extension?: string;
  /** Refuse outputs inside an input folder too (for commands whose inputs are whole folders, e.g. a run folder). Default false. */
  readonly outsideInputFolders?: boolean;
  /** Name reported as the error's source (the option, e.g. `--out`). Default `output`. */
  readonly parameter?: string;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Real path of `path`, or of its nearest existing folder joined with the rest when it does not exist yet. */
function realish(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : `${realish(parent)}${sep}${basename(absolute)}`;
  }
}

/**
 * Checks output paths before any work starts, so a wrong `--out` costs a second, not a batch,
 * and never destroys an input. Refused, each with an {@link EmovoxParameterError} naming the
 * path and the reason:
 * - an output that is one of the inputs (compared by device and inode, so symbolic and hard
 *   links to an input are caught too);
 * - an output that exists and is not a regular file (a folder, /dev/null, a FIFO);
 * - with `extension`, an output without that extension (case-insensitive);
 * - with `outsideInputFolders`, an output inside one of the input folders;
 * - two outputs that are the same file.
 *
 * @param outputs - every file the command will write.
 * @param check - inputs, required extension, folder rule, option name for messages.
 * @throws EmovoxParameterError (the CLI maps it to exit code 2).
 */
export function checkOutputPaths(outputs: readonly string[], check: OutputPathCheck = {}): void {
  const parameter = check.parameter ?? 'output';
  const inputs = (check.inputs ?? []).map((path) => ({ path, stats: statOrUndefined(path) }));
  const seen = new Map<string, string>();
  for (const output of outputs) {
    if (check.extension && !output.toLowerCase().endsWith(check.extension.toLowerCase())) {
      throw new EmovoxParameterError(parameter, `${output}: must end in ${check.extension}`);
    }
    const real = realish(output);
    const earlier = seen.get(real);
    if (earlier !== undefined) {
      throw new EmovoxParameterError(parameter, `${output}: same file as the output ${earlier}`);
    }
    seen.set(real, output);
    const stats = statOrUndefined(output);
    if (stats && !stats.isFile()) {
      throw new EmovoxParameterError(
        parameter,
        `${output}: exists and is ${fileKind(stats)}, not a regular file`,
      );
    }
    for (const input of inputs) {
      if (!input.stats) continue;
      if (stats && input.stats.isFile() && stats.dev === input.stats.dev && stats.ino === input.stats.ino) {
        throw new EmovoxParameterError(
          parameter,
          `${output}: is the input ${input.path}; refusing to overwrite an input`,
        );
      }
      if (check.outsideInputFolders && input.stats.isDirectory()) {
        const folder = realish(input.path);
        if (real.startsWith(`${folder}${sep}`)) {
          throw new EmovoxParameterError(parameter, `${output}: lies inside the input folder ${input.path}`);
        }
      }
    }
  }
}
