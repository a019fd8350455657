// Loading of the WebAssembly SIMD kernels that are embedded in the package as base64 strings
// (mel/MFCC, chroma, FLAC decoding, resampling). Embedding keeps them loadable the same way in
// Node and in a browser bundle: no file reads, no fetches.

/**
 * Decodes a base64 string to bytes with `atob`, which Node (>= 16) and browsers both have.
 *
 * @param base64 - standard base64 (RFC 4648, with padding).
 * @returns a fresh byte array over its own ArrayBuffer.
 */
export function base64Bytes(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Compiles an embedded kernel, or returns null so that the caller takes its JavaScript path: when
 * one of the environment variables `disabledBy` is set to `'js'` (tests and benchmarks compare the
 * two paths that way; ignored where there is no `process`), or when this engine cannot compile
 * the module (no WebAssembly SIMD).
 *
 * @param base64 - the kernel's bytes as base64 (the generated `*.wasm.ts` modules).
 * @param disabledBy - environment variable names, e.g. `['EMOVOX_FFT', 'EMOVOX_MEL_KERNEL']`.
 */
export function compileKernel(base64: string, disabledBy: readonly string[]): WebAssembly.Module | null {
  const env: Record<string, string | undefined> = typeof process === 'undefined' ? {} : process.env;
  if (disabledBy.some((name) => env[name] === 'js')) return null;
  try {
    const bytes = base64Bytes(base64);
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
}

/**
 * Grows a kernel's memory to at least `bytes` (whole 64 KiB pages).
 *
 * @returns false when the engine refuses to grow it (the caller falls back or fails cleanly).
 */
export function growMemory(memory: WebAssembly.Memory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / 65536));
    return true;
  } catch {
    return false;
  }
}
