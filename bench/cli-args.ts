// The small command-line reading that the benchmark scripts share.

/** `--name` flags and `--name value` options of this process's arguments, and a logger. */
export function benchArgs(argv: readonly string[] = process.argv.slice(2)): {
  flag: (name: string) => boolean;
  value: (name: string, fallback: string) => string;
  json: boolean;
  log: (line: string) => void;
} {
  const flag = (name: string) => argv.includes(name);
  const value = (name: string, fallback: string) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
  };
  const json = flag('--json');
  // With --json, stdout carries one JSON line; the progress lines stay off stderr too.
  const log = (line: string) => {
    if (!json) console.error(line);
  };
  return { flag, value, json, log };
}
