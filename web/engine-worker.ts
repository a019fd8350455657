// The analysis worker: loads onnxruntime-web, PFFFT, the model and Silero, and does every
// computation of the page (decoding, features, inference, the live stream) off the main thread,
// so the page stays responsive during a long file. Formats only the browser's own decoder reads
// go back to the page for decoding (workers have no Web Audio).
import {
  createBrowserStream,
  decodeAudioBytes,
  errorMessage,
  recognizeSamples,
  setupBrowserRuntime,
  timelineSamples,
  WebRecognizer,
  WebSileroVad,
  type StreamingRecognizer,
} from '../src/browser/index.js';
import type { EngineInfo, EngineMessage, EngineRequest } from './engine-protocol.js';

interface WorkerScope {
  postMessage(message: EngineMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<EngineRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let recognizer: WebRecognizer | null = null;
let vad: WebSileroVad | 'energy' = 'energy';
let stream: StreamingRecognizer | null = null;
/** Questions to the page (decode requests) waiting for their answer, by id. */
const asked = new Map<number, (answer: Extract<EngineRequest, { type: 'decoded' }>) => void>();
let nextQuestion = -1; // negative ids: the worker's questions, positive: the page's requests

function askPageToDecode(
  bytes: Uint8Array,
  name: string,
): Promise<{ channels: Float32Array[]; sampleRate: number }> {
  const id = nextQuestion--;
  const copy = bytes.slice().buffer;
  return new Promise((resolve, reject) => {
    asked.set(id, (answer) => {
      if (answer.error !== undefined || !answer.channels || !answer.sampleRate)
        reject(new Error(answer.error ?? 'no audio'));
      else resolve({ channels: answer.channels, sampleRate: answer.sampleRate });
    });
    scope.postMessage({ id, type: 'decode', name, bytes: copy }, [copy]);
  });
}

async function init(base: string, model: string): Promise<EngineInfo> {
  const { pffft } = await setupBrowserRuntime({
    ortWasm: new URL('ort/ort-wasm-simd-threaded.wasm', base).href,
    pffftWasm: new URL('pffft.wasm', base).href,
  });
  recognizer = await WebRecognizer.load(new URL(`models/${model}/`, base).href);
  try {
    vad = await WebSileroVad.load(new URL('vad/silero_vad_v5.onnx', base).href);
  } catch {
    vad = 'energy';
  }
  return {
    labels: [...recognizer.labels],
    card: recognizer.spec.card as EngineInfo['card'],
    vad: vad === 'energy' ? 'energy' : 'silero',
    pffft,
  };
}

function loaded(): WebRecognizer {
  if (!recognizer) throw new Error('the model is not loaded yet');
  return recognizer;
}

async function handle(request: EngineRequest): Promise<EngineMessage | null> {
  switch (request.type) {
    case 'init':
      return { id: request.id, type: 'ok', info: await init(request.base, request.model) };
    case 'file': {
      const model = loaded();
      const audio = await decodeAudioBytes(new Uint8Array(request.bytes), {
        name: request.name,
        maxDuration: request.maxDuration,
        otherDecoder: askPageToDecode,
      });
      const recognition = await recognizeSamples(model, audio.samples, audio.sampleRate);
      const timeline = await timelineSamples(model, audio.samples, audio.sampleRate, { vad });
      const { samples: _samples, ...info } = audio;
      return { id: request.id, type: 'ok', analysis: { audio: info, recognition, timeline } };
    }
    case 'stream-start':
      stream = createBrowserStream({
        recognizer: loaded(),
        vad,
        sampleRate: request.sampleRate,
        interimMs: 500,
        interimWindowS: 3,
      });
      return { id: request.id, type: 'ok' };
    case 'chunk':
      return { id: request.id, type: 'ok', events: stream ? await stream.push(request.samples) : [] };
    case 'stream-end': {
      const events = stream ? await stream.end() : [];
      stream = null;
      return { id: request.id, type: 'ok', events };
    }
    case 'decoded':
      asked.get(request.id)?.(request);
      asked.delete(request.id);
      return null;
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  handle(request).then(
    (answer) => answer && scope.postMessage(answer),
    (error: unknown) => scope.postMessage({ id: request.id, type: 'error', message: errorMessage(error) }),
  );
};
