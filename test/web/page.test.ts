// The web page in a real browser (Debian's Chromium through playwright-core): a file goes
// through the page's decoder, features and onnxruntime-web and must give Node's recognize() and
// timeline() results within 1e-4; a fake microphone fed from a WAV file drives the live chart,
// label and level meter; the page works offline once loaded; it fits a phone's screen and is
// usable from the keyboard. Screenshots go to test-artifacts/web/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { encodeFlac, encodeWav, loadAudio, resample } from '../../src/audio/index.js';
import { recognize, timeline } from '../../src/infer/recognizer.js';
import { repoRoot } from '../helpers/data.js';
import type { PageResults } from '../../web/results.js';
import {
  buildPageToTemp,
  chromiumPath,
  chromiumSkip,
  ensureArtifactsDir,
  maxScoreDiff,
  serveStatic,
  settled,
} from './browser.js';

const skip = chromiumSkip();
const example = join(repoRoot, 'examples', 'espeak-kids-talking.wav');
const LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];

async function analyse(page: Page, file: string): Promise<void> {
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => document.body.dataset.state !== 'ready', null, { timeout: 10_000 });
  const state = await settled(page, ['analysing']);
  assert.equal(state, 'done', (await page.textContent('#status')) ?? '');
}

async function downloadText(page: Page, button: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** WCAG contrast ratio of two CSS `rgb()`/`rgba()` colours (the second one opaque). */
function contrast(fg: string, bg: string): number {
  const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const lum = (c: number[]) => {
    const [r, g, b] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(rgb(fg)), lum(rgb(bg))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}

describe('web page in Chromium', { skip }, () => {
  let browser: Browser;
  let page: Page;
  let built: Awaited<ReturnType<typeof buildPageToTemp>>;
  let server: Awaited<ReturnType<typeof serveStatic>>;
  const artifacts = skip ? '' : ensureArtifactsDir();
  // Two copies of the example clip with 1.5 s of silence between them: two speech regions.
  const twice = join(artifacts, 'example-twice.wav');

  before(async () => {
    const audio = await loadAudio(example, { mono: true });
    const gap = new Float32Array(Math.round(1.5 * audio.sampleRate));
    const joined = new Float32Array(2 * audio.samples.length + gap.length);
    joined.set(audio.samples, 0);
    joined.set(audio.samples, audio.samples.length + gap.length);
    writeFileSync(twice, encodeWav(joined, audio.sampleRate));
    built = await buildPageToTemp();
    server = await serveStatic(built.outDir);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${example}`,
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url);
    const state = await settled(page, ['loading']);
    assert.equal(state, 'ready', `${await page.textContent('#status')} ${errors.join('; ')}`);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    built?.remove();
  });

  test('opened as static files: local mode, and server mode says it is unavailable', async () => {
    await page.waitForFunction(() => (document.getElementById('mode-note')?.textContent ?? '').length > 0);
    await page.waitForFunction(
      () => !/^Checking/.test(document.getElementById('mode-note')?.textContent ?? ''),
      null,
      { timeout: 10_000 },
    );
    assert.equal(await page.isChecked('#mode-local'), true);
    assert.equal(await page.isDisabled('#mode-server'), true);
    assert.match(
      (await page.textContent('#mode-note')) ?? '',
      /^Server mode is unavailable: this page was not served by `emovox serve`/,
    );
    assert.equal(await page.getAttribute('body', 'data-mode'), 'local');
  });

  test('a file: the page decodes and scores it as Node does (whole clip and timeline, within 1e-4)', async () => {
    await analyse(page, twice);
    const results = JSON.parse(await downloadText(page, '#download-json')) as PageResults;
    const node = await recognize(twice);
    assert.ok(results.recognition, 'the JSON has the whole-clip recognition');
    assert.equal(results.recognition.label, node.label);
    const diff = maxScoreDiff(results.recognition.scores, node.scores);
    assert.ok(diff < 1e-4, `whole clip: max |browser - node| = ${diff}`);
    assert.ok(Math.abs(results.recognition.durationS - node.durationS) < 1e-9);

    const nodeTimeline = await timeline(twice); // Silero VAD, as the page
    assert.deepEqual(
      results.speech?.map((r) => [r.startS, r.endS]),
      nodeTimeline.speech.map((r) => [r.startS, r.endS]),
    );
    assert.equal(results.segments.length, nodeTimeline.segments.length);
    assert.ok(results.segments.length >= 2, `${results.segments.length} segments`);
    results.segments.forEach((s, i) => {
      const n = nodeTimeline.segments[i];
      assert.equal(s.startS, n.startS);
      assert.equal(s.endS, n.endS);
      assert.equal(s.label, n.label);
      const d = maxScoreDiff(s.scores, n.scores);
      assert.ok(d < 1e-4, `segment ${i}: max |browser - node| = ${d}`);
    });

    // What the page shows: the label, the chart, the coloured timeline, the table.
    assert.equal(await page.textContent('#emotion'), node.label);
    assert.equal(await page.getAttribute('#chart', 'data-points'), String(results.segments.length));
    assert.equal(await page.getAttribute('#timeline', 'data-segments'), String(results.segments.length));
    assert.equal(await page.locator('#segments tr').count(), results.segments.length);

    const csv = (await downloadText(page, '#download-csv')).trim().split('\n');
    assert.equal(
      csv[0],
      `source,kind,start_s,end_s,label,confidence,low_confidence,${LABELS.map((l) => `p_${l}`).join(',')}`,
    );
    assert.equal(csv.length, 2 + results.segments.length);
    assert.ok(csv[1].startsWith(`example-twice.wav,file,0.000,${node.durationS.toFixed(3)},${node.label},`));
    await page.screenshot({ path: join(artifacts, 'file.png'), fullPage: true });
  });

  test('a 48 kHz stereo 24-bit FLAC: decoded, mixed and resampled in the page as in Node (within 1e-4)', async () => {
    const audio = await loadAudio(example, { mono: true });
    const left = resample(audio.samples, audio.sampleRate, 48000);
    const right = left.map((v) => 0.5 * v);
    const flac = join(artifacts, 'example-48k-stereo.flac');
    writeFileSync(flac, await encodeFlac([left, right], 48000, { bitDepth: 24 }));
    await analyse(page, flac);
    const results = JSON.parse(await downloadText(page, '#download-json')) as PageResults;
    const node = await recognize(flac);
    assert.equal(results.recognition?.label, node.label);
    const diff = maxScoreDiff(results.recognition?.scores ?? {}, node.scores);
    assert.ok(diff < 1e-4, `FLAC: max |browser - node| = ${diff}`);
    assert.match((await page.textContent('#file-summary')) ?? '', /at 48000 Hz \(FLAC\)/);
  });

  test('MP3, Ogg Vorbis and Ogg Opus: the same wasm decoders as Node, the same scores (within 1e-4); M4A: the browser decodes', async () => {
    for (const name of ['tone220_3s.mp3', 'tone220_3s.ogg', 'tone220_3s.opus']) {
      const file = join(repoRoot, 'test', 'fixtures', 'audio', name);
      await analyse(page, file);
      const results = JSON.parse(await downloadText(page, '#download-json')) as PageResults;
      const node = await recognize(file);
      const diff = maxScoreDiff(results.recognition?.scores ?? {}, node.scores);
      assert.ok(diff < 1e-4, `${name}: max |browser - node| = ${diff}`);
      assert.equal(results.recognition?.durationS, node.durationS, name);
    }
    // AAC in M4A: not one of emovox's decoders (Node uses ffmpeg); the worker asks the page,
    // whose decodeAudioData decodes it at 48 kHz.
    await analyse(page, join(repoRoot, 'test', 'fixtures', 'audio', 'sine440.m4a'));
    assert.match((await page.textContent('#file-summary')) ?? '', /at 48000 Hz \(decoded by the browser\)/);
  });

  test('the microphone (a fake one playing the example clip): level, label and chart update', async () => {
    await page.click('#mic');
    await page.waitForFunction(() => document.body.dataset.state === 'listening', null, { timeout: 10_000 });
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) >= 4, null, {
      timeout: 20_000,
    });
    const label = await page.textContent('#emotion');
    assert.ok(LABELS.includes(label ?? ''), `current emotion: ${label}`);
    // The clip has pauses of digital silence (shown as -inf): wait for a chunk of speech.
    await page.waitForFunction(
      () => {
        const text = document.getElementById('level-db')?.textContent ?? '';
        const meter = document.getElementById('level') as HTMLMeterElement;
        return /^-?\d+ dBFS$/.test(text) && Number(text.split(' ')[0]) > -60 && meter.value > -60;
      },
      null,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: join(artifacts, 'microphone.png'), fullPage: true });
    await page.click('#mic');
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 10_000 });
    assert.equal(await page.getAttribute('#mic', 'aria-pressed'), 'false');
    const results = JSON.parse(await downloadText(page, '#download-json')) as PageResults;
    assert.equal(results.source, 'microphone');
    assert.ok(results.durationS > 1, `session of ${results.durationS} s`);
  });

  test('phone-sized screen: no horizontal scrolling, large targets, keyboard order, text contrast', async () => {
    const phone = await browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const p = await phone.newPage();
    await p.goto(server.url);
    assert.equal(await settled(p, ['loading']), 'ready');
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${overflow} px wider than the screen`);
    const micBox = await p.locator('#mic').boundingBox();
    assert.ok(micBox && micBox.height >= 44 && micBox.width >= 200, JSON.stringify(micBox));
    const focused: string[] = [];
    for (let i = 0; i < 4; i++) {
      await p.keyboard.press('Tab');
      focused.push(
        await p.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || ''),
      );
    }
    assert.ok(focused.includes('mic') && focused.includes('file'), `tab order: ${focused.join(', ')}`);
    const pairs = await p.evaluate(() =>
      [
        '#status',
        '#emotion',
        '#confidence',
        '#mic',
        '#download-note',
        '.terms',
        'caption',
        'label[for=level]',
      ].map((sel) => {
        const el = document.querySelector(sel) as HTMLElement;
        let bgEl: HTMLElement | null = el;
        let bg = 'rgba(0, 0, 0, 0)';
        while (bgEl && /rgba\(.*, 0\)$/.test((bg = getComputedStyle(bgEl).backgroundColor)))
          bgEl = bgEl.parentElement;
        return { sel, fg: getComputedStyle(el).color, bg };
      }),
    );
    for (const { sel, fg, bg } of pairs) {
      const ratio = contrast(fg, bg);
      assert.ok(ratio >= 4.5, `${sel}: contrast ${ratio.toFixed(2)} (${fg} on ${bg})`);
    }
    await p.screenshot({ path: join(artifacts, 'phone.png'), fullPage: true });
    await phone.close();
  });

  test('an undecodable file is reported, and the page stays usable', async () => {
    const bad = join(artifacts, 'not-audio.wav');
    writeFileSync(bad, readFileSync(join(repoRoot, 'package.json')));
    await page.setInputFiles('#file', bad);
    await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 15_000 });
    assert.match((await page.textContent('#status')) ?? '', /Cannot analyse not-audio\.wav: /);
    assert.equal(await page.isDisabled('#mic'), false);
    assert.equal(await page.isDisabled('#file'), false);
  });

  test('offline: once loaded, the page reloads and analyses a file with the server gone', async () => {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    await server.close();
    await page.reload();
    assert.equal(await settled(page, ['loading']), 'ready', (await page.textContent('#status')) ?? '');
    await analyse(page, example);
    const node = await recognize(example);
    assert.equal(await page.textContent('#emotion'), node.label);
    await page.screenshot({ path: join(artifacts, 'offline.png'), fullPage: true });
  });
});
