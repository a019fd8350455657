// The page's side of the analysis worker: requests as promises, and the worker's questions
// answered here (decoding formats only the browser's decodeAudioData reads: workers have no
// Web Audio).
import type { StreamEvent } from '../src/browser/index.js';
import type { EngineInfo, EngineMessage, EngineRequest, FileAnalysis } from './engine-protocol.js';

/** Distributes the union over its members, so each request keeps its own fields. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Rate (Hz) of the browser's decoder for formats emovox does not decode itself. */
const BROWSER_DECODE_RATE = 48000;

async function webAudioDecode(bytes: ArrayBuffer): Promise<{ channels: Float32Array[]; sampleRate: number }> {
  const buffer = await new OfflineAudioContext(1, 1, BROWSER_DECODE_RATE).decodeAudioData(bytes);
  return {
    channels: Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c).slice()),
    sampleRate: buffer.sampleRate,
  };
}

/** The analysis worker, as promises. */
export class Engine {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (m: Extract<EngineMessage, { type: 'ok' }>) => void; reject: (e: Error) => void }
  >();

  /** @param workerUrl - where `engine-worker.js` is served (a module worker). */
  constructor(workerUrl: URL) {
    this.worker = new Worker(workerUrl, { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<EngineMessage>) => this.receive(event.data);
    this.worker.onerror = (event) => {
      for (const p of this.pending.values())
        p.reject(new Error(event.message || 'the analysis worker failed'));
      this.pending.clear();
    };
  }

  private receive(message: EngineMessage): void {
    if (message.type === 'decode') {
      webAudioDecode(message.bytes).then(
        (decoded) =>
          this.worker.postMessage(
            { id: message.id, type: 'decoded', ...decoded } satisfies EngineRequest,
            decoded.channels.map((c) => c.buffer),
          ),
        (error: unknown) =>
          this.worker.postMessage({
            id: message.id,
            type: 'decoded',
            error: `not audio this browser can decode (${error instanceof Error ? error.message : String(error)})`,
          } satisfies EngineRequest),
      );
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'error') pending.reject(new Error(message.message));
    else pending.resolve(message);
  }

  private request(
    request: Without<EngineRequest, 'id'>,
    transfer: Transferable[] = [],
  ): Promise<Extract<EngineMessage, { type: 'ok' }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id }, transfer);
    });
  }

  /** Loads the runtime, the model and Silero from the page's folder `base`. */
  async init(base: URL, model: string): Promise<EngineInfo> {
    return (await this.request({ type: 'init', base: base.href, model })).info as EngineInfo;
  }

  /** Decodes and analyses a file (the bytes are handed over to the worker). */
  async analyse(name: string, bytes: ArrayBuffer, maxDuration: number): Promise<FileAnalysis> {
    return (await this.request({ type: 'file', name, bytes, maxDuration }, [bytes])).analysis as FileAnalysis;
  }

  /** Starts a live stream at `sampleRate` Hz. */
  async startStream(sampleRate: number): Promise<void> {
    await this.request({ type: 'stream-start', sampleRate });
  }

  /** Feeds a chunk (handed over to the worker); resolves with the events it completed. */
  async push(samples: Float32Array): Promise<StreamEvent[]> {
    return (await this.request({ type: 'chunk', samples }, [samples.buffer])).events ?? [];
  }

  /** Ends the stream; resolves with its last events. */
  async endStream(): Promise<StreamEvent[]> {
    return (await this.request({ type: 'stream-end' })).events ?? [];
  }
}
