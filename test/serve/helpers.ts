// Shared pieces of the service tests: synthetic clips, raw HTTP over a socket (for slow and
// aborted uploads), and a memory probe.
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeWav, synthesizeSpeechLike } from '../../src/audio/index.js';

/** A speech-like WAV clip (16-bit PCM). */
export function clipWav(durationS: number, sampleRate = 16000, seed = 1): Uint8Array {
  return encodeWav([synthesizeSpeechLike({ durationS, sampleRate, seed })], sampleRate);
}

/** Speech-like audio with silent gaps: [speech s, silence s, speech s, ...]. */
export function withPauses(parts: number[], sampleRate = 16000): Float32Array {
  const chunks = parts.map((s, i) =>
    i % 2 === 0
      ? synthesizeSpeechLike({ durationS: s, sampleRate, seed: i + 3, f0Hz: 120 + 30 * i })
      : new Float32Array(Math.round(s * sampleRate)),
  );
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** POSTs bytes with a Content-Type; resolves with the status, headers and parsed JSON body. */
export async function post(
  url: string,
  body: Uint8Array | string | FormData,
  contentType?: string,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    body: body as BodyInit,
    headers: contentType ? { 'content-type': contentType } : {},
  });
  const text = await response.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: response.status, headers: response.headers, json };
}

/** Opens a TCP connection to the service and writes `head` (request line + headers + CRLFCRLF). */
export function rawRequest(url: string, head: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(head);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything a raw socket receives until the server closes it (or `timeoutMs`). */
export function readAll(socket: Socket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(data);
    }, timeoutMs);
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap used and RSS after full garbage collections, bytes. */
export async function settledMemory(): Promise<{ heapUsed: number; rss: number }> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

/** Polls until `check` is true (or throws after `timeoutMs`). */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
