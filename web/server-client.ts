// The page's server mode: the same analyses done by the `emovox serve` that served the page
// (POST /v1/recognize and /v1/timeline for a file, the WebSocket /v1/stream for the microphone).
// Only used when the user picks server mode; every URL is relative to the page, so the page
// talks to the service it came from (also behind a reverse proxy that adds a path prefix).
import type { BrowserRecognition, StreamEvent, TimelineResult } from '../src/browser/index.js';

/** Whether the page can use a server, and why not. */
export type ServerProbe =
  | { available: true; origin: string; labels: string[]; workers: number }
  | { available: false; reason: string };

const UNAVAILABLE =
  'Server mode is unavailable: this page was not served by `emovox serve` (it was opened as static files, or the service cannot be reached). Start `emovox serve` and open its address to use it.';

async function json(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/**
 * Asks the page's own origin whether it is an emovox service: `GET health` and `GET v1/models`
 * beside the page must answer emovox's JSON.
 * @param base - the page's folder URL.
 */
export async function probeServer(base: URL): Promise<ServerProbe> {
  try {
    const [health, models] = await Promise.all([
      fetch(new URL('health', base), { cache: 'no-store' }),
      fetch(new URL('v1/models', base), { cache: 'no-store' }),
    ]);
    if (!health.ok || !models.ok) return { available: false, reason: UNAVAILABLE };
    const h = (await health.json()) as { status?: string; workers?: number };
    const m = (await models.json()) as { models?: { labels?: string[] }[] };
    const labels = m.models?.[0]?.labels;
    if (h.status !== 'ok' || !Array.isArray(labels)) return { available: false, reason: UNAVAILABLE };
    return { available: true, origin: base.origin, labels, workers: h.workers ?? 1 };
  } catch {
    return { available: false, reason: UNAVAILABLE };
  }
}

/** Content-Type of an upload: the file's audio type, else raw bytes (the service sniffs the container). */
function uploadType(file: Blob): string {
  return file.type.startsWith('audio/') ? file.type : 'application/octet-stream';
}

async function postAudio(url: URL, file: Blob): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    body: file,
    headers: { 'content-type': uploadType(file) },
  });
  const body = await json(response);
  if (!response.ok)
    throw new Error(`the server answered ${response.status}: ${String(body.message ?? body.error ?? '')}`);
  return body;
}

/**
 * A file analysed by the service: the whole clip (`/v1/recognize`) and its timeline
 * (`/v1/timeline`, Silero VAD, the service's defaults, as the local mode).
 * @param base - the page's folder URL.
 * @param file - the audio as picked or dropped (uploaded as it is).
 */
export async function serverAnalyse(
  base: URL,
  file: Blob,
): Promise<{ recognition: BrowserRecognition; timeline: TimelineResult }> {
  const [recognition, timeline] = await Promise.all([
    postAudio(new URL('v1/recognize', base), file),
    postAudio(new URL('v1/timeline?vad=silero', base), file),
  ]);
  return {
    recognition: recognition as unknown as BrowserRecognition,
    timeline: timeline as unknown as TimelineResult,
  };
}

/** A live stream to the service: float32 chunks in, segment and interim events out. */
export class ServerStream {
  private closed: Promise<{ code: number; reason: string }>;
  private ending = false;

  private constructor(
    private readonly socket: WebSocket,
    onEvents: (events: StreamEvent[]) => void,
    onError: (message: string) => void,
  ) {
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (message: MessageEvent<unknown>) => {
      if (typeof message.data !== 'string') return;
      const event = JSON.parse(message.data) as { type: string; message?: string };
      if (event.type === 'segment' || event.type === 'interim') onEvents([event as StreamEvent]);
      else if (event.type === 'error') onError(`the server: ${event.message ?? 'error'}`);
    };
    this.closed = new Promise((resolve) => {
      socket.onclose = (e) => {
        // Closed by the service before the page ended the stream (shutdown, idle, an error).
        if (!this.ending)
          onError(`the server closed the stream (${e.code}${e.reason ? `: ${e.reason}` : ''})`);
        resolve({ code: e.code, reason: e.reason });
      };
    });
  }

  /**
   * Opens `v1/stream` beside the page for mono float32 PCM at `sampleRate` Hz (Silero VAD,
   * interim events every 500 ms as the local mode) and waits for the service's `ready`.
   * @param onEvents - called with each segment and interim event as it arrives.
   * @param onError - called with the service's error messages, and when the service closes the
   *   stream before {@link end} (shutdown, idle timeout).
   * @throws an Error with the service's message when the stream is refused.
   */
  static open(
    base: URL,
    sampleRate: number,
    onEvents: (events: StreamEvent[]) => void,
    onError: (message: string) => void,
  ): Promise<ServerStream> {
    const url = new URL(`v1/stream?rate=${Math.round(sampleRate)}&format=f32le&vad=silero&interim=500`, base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      let problem = 'the server closed the stream';
      socket.onmessage = (message: MessageEvent<unknown>) => {
        const event = JSON.parse(String(message.data)) as { type: string; message?: string };
        if (event.type === 'ready') resolve(new ServerStream(socket, onEvents, onError));
        else if (event.type === 'error') problem = event.message ?? problem;
      };
      socket.onerror = () => (problem = 'cannot reach the server');
      socket.onclose = () => reject(new Error(problem));
    });
  }

  /** Sends a chunk of mono samples in [-1, 1] (little-endian float32, as every browser stores it). */
  push(samples: Float32Array): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(samples);
  }

  /**
   * Ends the stream: the service sends its last events (to `onEvents`) and its summary, then
   * closes; resolves at that close.
   * @throws when the service closed the stream with an error code.
   */
  async end(): Promise<void> {
    this.ending = true;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'end' }));
    const { code, reason } = await this.closed;
    if (code !== 1000 && code !== 1001) throw new Error(`the server closed the stream (${code} ${reason})`);
  }
}
