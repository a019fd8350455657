// Messages between the page (engine-client.ts) and the analysis worker (engine-worker.ts).
// Types only: the page's main thread never loads the engine, the worker never touches the DOM.
import type { BrowserRecognition, StreamEvent, TimelineResult } from '../src/browser/index.js';

/** What the worker tells the page once the model is loaded. */
export interface EngineInfo {
  labels: string[];
  card?: { description?: string; terms?: string };
  /** The voice activity detector in use: Silero VAD v5, or the energy detector if Silero failed to load. */
  vad: 'silero' | 'energy';
  /** PFFFT (wasm) in use for the float32 MFCC path; false: fft.js. */
  pffft: boolean;
}

/** A file's analysis. */
export interface FileAnalysis {
  audio: {
    sampleRate: number;
    channels: number;
    decoder: 'emovox' | 'browser';
    container: string;
    warnings: string[];
  };
  recognition: BrowserRecognition;
  timeline: TimelineResult;
}

/** Page -> worker. `id` pairs a request with its answer. */
export type EngineRequest =
  | { id: number; type: 'init'; base: string; model: string }
  | { id: number; type: 'file'; name: string; bytes: ArrayBuffer; maxDuration: number }
  | { id: number; type: 'stream-start'; sampleRate: number }
  | { id: number; type: 'chunk'; samples: Float32Array }
  | { id: number; type: 'stream-end' }
  /** The answer to a worker's `decode` question (formats only the browser's decoder reads). */
  | { id: number; type: 'decoded'; channels?: Float32Array[]; sampleRate?: number; error?: string };

/** Worker -> page: answers (`ok`/`error`, same `id`) and questions (`decode`). */
export type EngineMessage =
  | { id: number; type: 'ok'; info?: EngineInfo; analysis?: FileAnalysis; events?: StreamEvent[] }
  | { id: number; type: 'error'; message: string }
  | { id: number; type: 'decode'; name: string; bytes: ArrayBuffer };
