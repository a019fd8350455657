// Worker-thread entry of the service: loads the model once per thread, then runs one job per
// message (decode + recognise, decode + timeline, or classify samples of a stream). Decoding
// runs here too, so a large or hostile upload never blocks the event loop of the main thread.
import { isMainThread, parentPort } from 'node:worker_threads';
import { loadAudio } from '../audio/load.js';
import { detectSpeech, Recognizer } from '../infer/recognizer.js';
import { buildTimeline } from '../infer/timeline-core.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import type { WorkerJob, WorkerReply } from './protocol.js';

/** Name given to uploaded audio in error messages (never a client-supplied name). */
export const UPLOAD_NAME = 'upload';

const recognizers = new Map<string, Promise<Recognizer>>();

function recognizerFor(model: string): Promise<Recognizer> {
  let r = recognizers.get(model);
  if (!r) {
    r = Recognizer.load(model);
    recognizers.set(model, r);
    r.catch(() => recognizers.delete(model));
  }
  return r;
}

/** The `loadAudio` problems that mean "too long" (audio/compressed.ts `tooLong`, audio/ffmpeg.ts). */
const TOO_LONG = /above the limit of|longer than the limit of/;

/**
 * Runs one job.
 * @returns the reply (never throws: failures are replies that say why).
 */
export async function runJob(job: WorkerJob): Promise<WorkerReply> {
  try {
    const recognizer = await recognizerFor(job.model);
    switch (job.kind) {
      case 'load':
        return {
          ok: true,
          kind: 'load',
          facts: {
            labels: [...recognizer.labels],
            lowConfidenceBelow: recognizer.lowConfidenceBelow,
            temperature: recognizer.temperature,
            rates: recognizer.rates,
          },
        };
      case 'classify':
        return { ok: true, kind: 'classify', result: await recognizer.classify(job.samples, job.sampleRate) };
      case 'recognize':
      case 'timeline': {
        // strict: a truncated upload is refused (400) rather than scored on the part that arrived.
        const audio = await loadAudio(job.bytes, {
          mono: true,
          strict: true,
          maxDuration: job.maxDuration,
          name: UPLOAD_NAME,
        });
        // Requests are independent: per-speaker statistics (bundles that keep them) start afresh.
        recognizer.reset();
        if (job.kind === 'recognize') {
          const scores = await recognizer.classify(audio.samples, audio.sampleRate, '', UPLOAD_NAME);
          return {
            ok: true,
            kind: 'recognize',
            result: { ...scores, durationS: audio.samples.length / audio.sampleRate },
          };
        }
        const speech = await detectSpeech(audio.samples, audio.sampleRate, job.params.vad);
        const { vad: _vad, ...windows } = job.params;
        const result = await buildTimeline(audio.samples, audio.sampleRate, speech, recognizer, windows);
        return { ok: true, kind: 'timeline', result };
      }
    }
  } catch (error) {
    if (error instanceof EmovoxInputError) {
      // The message names its source: `audio` for the upload, or the parameter (`window`, `hop`).
      return {
        ok: false,
        failure: TOO_LONG.test(error.problem) ? 'too-long' : 'input',
        problem: error.message,
      };
    }
    return { ok: false, failure: 'internal', problem: errorMessage(error) };
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', (job: WorkerJob) => {
    void runJob(job).then((reply) => port.postMessage(reply));
  });
}
