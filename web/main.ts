// The emovox web page: live emotion from the microphone, or a timeline of a dropped file, all
// computed in the browser by the browser entry (src/browser: the same decoders, features, front
// end and calibration as Node) with onnxruntime-web, in a worker (engine-worker.ts) so the page
// stays responsive. Every file the page needs is served beside it (scripts/build-web.mjs) and
// precached by its service worker; no audio leaves the page.
import type { EmotionScores, StreamEvent } from '../src/browser/index.js';
import { Engine } from './engine-client.js';
import type { EngineInfo } from './engine-protocol.js';
import { ProbabilityChart } from './chart.js';
import { labelColors } from './colors.js';
import { levelDb, startMicrophone, type Microphone } from './mic.js';
import { fileResults, resultsCsv, resultsJson, sessionResults, type PageResults } from './results.js';
import { probeServer, ServerStream, serverAnalyse, type ServerProbe } from './server-client.js';
import { displaySpans, renderTimeline } from './timeline-view.js';

/** Longest file the page analyses, seconds (as `emovox predict`'s default). */
const MAX_FILE_S = 1800;
const MODEL_NAME = 'emovox-acted7';

const base = new URL('./', document.baseURI);

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

const ui = {
  status: byId('status'),
  emotion: byId('emotion'),
  confidence: byId('confidence'),
  announce: byId('announce'),
  level: byId<HTMLMeterElement>('level'),
  levelDb: byId<HTMLOutputElement>('level-db'),
  mic: byId<HTMLButtonElement>('mic'),
  file: byId<HTMLInputElement>('file'),
  chart: byId('chart'),
  fileSection: byId('file-section'),
  fileName: byId('file-name'),
  fileSummary: byId('file-summary'),
  timeline: byId('timeline'),
  timelineLegend: byId('timeline-legend'),
  segments: byId('segments'),
  downloadCsv: byId<HTMLButtonElement>('download-csv'),
  downloadJson: byId<HTMLButtonElement>('download-json'),
  downloadNote: byId('download-note'),
  modelInfo: byId('model-info'),
  modelTerms: byId('model-terms'),
  modeLocal: byId<HTMLInputElement>('mode-local'),
  modeServer: byId<HTMLInputElement>('mode-server'),
  modeNote: byId('mode-note'),
};

/** Where audio is analysed: `local` (this browser, the default: nothing leaves it) or `server`. */
type Mode = 'local' | 'server';

type PageState = 'loading' | 'ready' | 'listening' | 'analysing' | 'done' | 'error';

function setState(state: PageState, message: string): void {
  document.body.dataset.state = state;
  ui.status.textContent = message;
}

const percent = (p: number) => `${Math.round(p * 100)} %`;
const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

interface Loaded {
  engine: Engine;
  info: EngineInfo;
  colors: Record<string, string>;
  chart: ProbabilityChart;
}

let loaded: Loaded | null = null;
let results: PageResults | null = null;
/** Where a live session's chunks go, and how it ends (resolving with its last events). */
interface LiveSink {
  push(chunk: Float32Array): void;
  end(): Promise<StreamEvent[]>;
}
let live: { mic: Microphone; segments: StreamEvent[]; samples: number; mode: Mode } | null = null;
let busy = false;
let server: ServerProbe = {
  available: false,
  reason: 'Checking whether this page came from an emovox server…',
};

function mode(): Mode {
  return ui.modeServer.checked && server.available ? 'server' : 'local';
}

function readyMessage(): string {
  return mode() === 'server'
    ? `Ready, server mode: files and the microphone are sent to ${server.available ? server.origin : 'the server'} and analysed there.`
    : 'Ready. Nothing you record or drop here leaves this browser.';
}

function showMode(): void {
  document.body.dataset.mode = mode();
  ui.modeServer.disabled = !server.available || busy || live !== null;
  ui.modeLocal.disabled = busy || live !== null;
  ui.modeNote.textContent = !server.available
    ? server.reason
    : mode() === 'server'
      ? `Server mode: audio is uploaded to ${server.origin} (the emovox service this page came from) and analysed there.`
      : `Local mode: audio stays in this browser. Server mode sends it to ${server.origin} instead.`;
}

function showEmotion(scores: EmotionScores, announce: boolean): void {
  const color = loaded?.colors[scores.label] ?? '#cccccc';
  ui.emotion.textContent = scores.label;
  ui.emotion.dataset.label = scores.label;
  ui.emotion.style.borderLeftColor = color;
  ui.confidence.textContent = `confidence ${percent(scores.confidence)}${scores.lowConfidence ? ' (uncertain: below the model’s threshold)' : ''}`;
  if (announce) ui.announce.textContent = `${scores.label}, ${percent(scores.confidence)}`;
}

function setResults(r: PageResults | null): void {
  results = r;
  ui.downloadCsv.disabled = ui.downloadJson.disabled = r === null;
  ui.downloadNote.textContent =
    r === null
      ? 'Results appear here after a file or a microphone session.'
      : `${r.source === 'file' ? r.name : 'Microphone session'}: ${r.segments.length} segment(s), ${r.durationS.toFixed(1)} s.`;
}

function download(text: string, type: string, extension: string): void {
  if (!results) return;
  const stem = results.name.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_') || 'emovox';
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${stem}.emovox.${extension}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function load(): Promise<void> {
  if ('serviceWorker' in navigator)
    navigator.serviceWorker.register(new URL('sw.js', base)).catch(() => undefined);
  const engine = new Engine(new URL('engine-worker.js', base));
  const info = await engine.init(base, MODEL_NAME);
  const colors = labelColors(info.labels);
  loaded = { engine, info, colors, chart: new ProbabilityChart(ui.chart, info.labels, colors) };
  ui.timelineLegend.replaceChildren(
    ...info.labels.map((label) => {
      const item = document.createElement('span');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colors[label];
      item.append(swatch, label);
      return item;
    }),
  );
  ui.modelInfo.textContent = `${MODEL_NAME}: ${info.card?.description ?? ''} Classes: ${info.labels.join(', ')}. Voice activity: ${info.vad === 'energy' ? 'energy' : 'Silero VAD v5'}. FFT: ${info.pffft ? 'PFFFT (wasm)' : 'fft.js'}.`;
  ui.modelTerms.textContent = info.card?.terms ? `Terms: ${info.card.terms}` : '';
  ui.mic.disabled = ui.file.disabled = false;
  setState('ready', readyMessage());
}

async function analyseFile(file: File): Promise<void> {
  if (!loaded || busy) return;
  busy = true;
  if (live) await stopListening();
  ui.mic.disabled = ui.file.disabled = true;
  setState('analysing', `Analysing ${file.name}…`);
  const where = mode();
  showMode();
  try {
    let summary: string;
    let recognition: Awaited<ReturnType<typeof serverAnalyse>>['recognition'];
    let timeline: Awaited<ReturnType<typeof serverAnalyse>>['timeline'];
    if (where === 'server') {
      ({ recognition, timeline } = await serverAnalyse(base, file));
      summary = `${recognition.durationS.toFixed(2)} s, analysed by the emovox server at ${base.origin}.`;
    } else {
      const analysis = await loaded.engine.analyse(file.name, await file.arrayBuffer(), MAX_FILE_S);
      ({ recognition, timeline } = analysis);
      const { audio } = analysis;
      summary = `${recognition.durationS.toFixed(2)} s at ${audio.sampleRate} Hz (${audio.decoder === 'emovox' ? audio.container.toUpperCase() : 'decoded by the browser'}).${audio.warnings.length > 0 ? ` Warning: ${audio.warnings.join('; ')}.` : ''}`;
    }
    const r = fileResults(file.name, { name: MODEL_NAME, labels: loaded.info.labels }, recognition, timeline);
    showEmotion(recognition, true);
    const spans = displaySpans(r.segments);
    loaded.chart.setSpans(r.segments.map((s, i) => ({ ...spans[i], scores: s.scores })));
    ui.fileName.textContent = file.name;
    ui.fileSummary.textContent = `${summary} Whole clip: ${recognition.label} (${percent(recognition.confidence)}). ${timeline.speech.length} speech region(s), ${timeline.segments.length} window(s).`;
    renderTimeline(ui.timeline, ui.segments, r.segments, recognition.durationS, loaded.colors);
    ui.fileSection.hidden = false;
    setResults(r);
    setState(
      'done',
      `Done${where === 'server' ? ' (server)' : ''}: ${file.name} is ${recognition.label} (${percent(recognition.confidence)}).`,
    );
  } catch (error) {
    ui.fileSection.hidden = true;
    setState(
      'error',
      `Cannot analyse ${file.name}${where === 'server' ? ' on the server' : ''}: ${errorMessage(error)}`,
    );
  } finally {
    busy = false;
    ui.mic.disabled = ui.file.disabled = false;
    showMode();
  }
}

function onStreamEvents(events: StreamEvent[]): void {
  if (!loaded || !live) return;
  for (const e of events) {
    if (e.problem) continue;
    loaded.chart.push(e.endS, e.scores);
    showEmotion(e, e.type === 'segment');
    if (e.type === 'segment') live.segments.push(e);
  }
  setResults(
    sessionResults(
      { name: MODEL_NAME, labels: loaded.info.labels },
      live.segments,
      live.samples / live.mic.sampleRate,
    ),
  );
}

/** The live sink of the local mode: the analysis worker. */
function localSink(engine: Engine): LiveSink {
  return {
    push: (chunk) =>
      void engine
        .push(chunk)
        .then(onStreamEvents, (error: unknown) => setState('error', errorMessage(error))),
    end: () => engine.endStream(),
  };
}

/** The live sink of the server mode: the WebSocket `v1/stream` (events arrive as the service sends them). */
async function serverSink(sampleRate: number): Promise<LiveSink> {
  const stream = await ServerStream.open(base, sampleRate, onStreamEvents, (message) => {
    // The session stops at the first problem the service reports; its results so far are kept.
    liveProblem ??= message;
    if (live) void stopListening();
  });
  return {
    push: (chunk) => stream.push(chunk),
    end: async () => {
      await stream.end();
      return [];
    },
  };
}

let sink: LiveSink | null = null;
let stopping = false;
/** The first problem the service reported during the live session (server mode). */
let liveProblem: string | null = null;

async function startListening(): Promise<void> {
  if (!loaded || live || busy) return;
  busy = true;
  ui.mic.disabled = true;
  const where = mode();
  showMode();
  liveProblem = null;
  const { engine } = loaded;
  let started = false;
  try {
    const mic = await startMicrophone(new URL('capture-worklet.js', base), (chunk) => {
      if (!started || !live || !sink) return;
      const db = levelDb(chunk); // before the chunk is handed over to the worker
      ui.level.value = Math.max(-60, db);
      ui.level.textContent = ui.levelDb.textContent = `${db <= -100 ? '–∞' : db.toFixed(0)} dBFS`;
      live.samples += chunk.length;
      sink.push(chunk);
    });
    try {
      if (where === 'server') sink = await serverSink(mic.sampleRate);
      else {
        await engine.startStream(mic.sampleRate);
        sink = localSink(engine);
      }
    } catch (error) {
      await mic.stop();
      throw error;
    }
    live = { mic, segments: [], samples: 0, mode: where };
    started = true;
    loaded.chart.clear();
    ui.fileSection.hidden = true;
    ui.mic.textContent = 'Stop microphone';
    ui.mic.setAttribute('aria-pressed', 'true');
    setState(
      'listening',
      where === 'server'
        ? `Listening at ${mic.sampleRate} Hz, streaming to the server at ${base.origin}. Speak: results update every half second.`
        : `Listening at ${mic.sampleRate} Hz. Speak: results update every half second.`,
    );
  } catch (error) {
    setState(
      'error',
      `Cannot ${where === 'server' ? 'stream the microphone to the server' : 'use the microphone'}: ${errorMessage(error)}`,
    );
  } finally {
    busy = false;
    ui.mic.disabled = false;
    showMode();
  }
}

async function stopListening(): Promise<void> {
  const session = live;
  if (!session || !loaded || stopping) return;
  stopping = true;
  await session.mic.stop();
  let problem: string | null = null;
  try {
    if (sink) onStreamEvents(await sink.end());
  } catch (error) {
    problem = errorMessage(error);
  }
  problem = liveProblem ?? problem;
  sink = null;
  live = null;
  stopping = false;
  showMode();
  ui.mic.textContent = 'Start microphone';
  ui.mic.setAttribute('aria-pressed', 'false');
  ui.level.value = -60;
  ui.levelDb.textContent = '–∞ dBFS';
  if (problem) setState('error', `The live session ended badly: ${problem}`);
  else
    setState(
      'done',
      `Stopped${session.mode === 'server' ? ' (server)' : ''}: ${session.segments.length} segment(s) in ${(session.samples / session.mic.sampleRate).toFixed(1)} s.`,
    );
}

for (const radio of [ui.modeLocal, ui.modeServer])
  radio.addEventListener('change', () => {
    showMode();
    if (document.body.dataset.state === 'ready' || document.body.dataset.state === 'done')
      ui.status.textContent = readyMessage();
  });
showMode();
void probeServer(base).then((probe) => {
  server = probe;
  showMode();
});

ui.mic.addEventListener('click', () => void (live ? stopListening() : startListening()));
ui.file.addEventListener('change', () => {
  const file = ui.file.files?.[0];
  if (file) void analyseFile(file).then(() => (ui.file.value = ''));
});
ui.downloadCsv.addEventListener('click', () => results && download(resultsCsv(results), 'text/csv', 'csv'));
ui.downloadJson.addEventListener(
  'click',
  () => results && download(resultsJson(results), 'application/json', 'json'),
);
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (event) => {
  event.preventDefault();
  document.body.classList.remove('dragging');
  const file = event.dataTransfer?.files[0];
  if (file) void analyseFile(file);
});

load().catch((error: unknown) => setState('error', `The model could not be loaded: ${errorMessage(error)}`));
