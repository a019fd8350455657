// The page's downloads and timeline layout (pure parts of web/, run in Node).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileResults, resultsCsv, resultsJson, sessionResults } from '../../web/results.js';
import { displaySpans } from '../../web/timeline-view.js';
import { labelColors } from '../../web/colors.js';
import type { StreamEvent } from '../../src/browser/index.js';

const model = { name: 'm', labels: ['calm', 'angry'] };
const scores = (angry: number) => ({ calm: 1 - angry, angry });
const answer = (angry: number) => ({
  label: angry >= 0.5 ? 'angry' : 'calm',
  scores: scores(angry),
  confidence: Math.max(angry, 1 - angry),
  lowConfidence: Math.max(angry, 1 - angry) < 0.6,
});

test('file results: JSON keeps everything; CSV has the whole clip, then one row per segment', () => {
  const r = fileResults(
    'a, "b".wav',
    model,
    { ...answer(0.75), durationS: 6 },
    {
      durationS: 6,
      speech: [{ startS: 0.5, endS: 5 }],
      segments: [
        { startS: 0.5, endS: 3.5, ...answer(0.9), raw: answer(0.95) },
        { startS: 2, endS: 5, ...answer(0.4), raw: answer(0.3) },
      ],
      skipped: [],
    },
    '2026-01-01T00:00:00.000Z',
  );
  assert.deepEqual(JSON.parse(resultsJson(r)), r);
  assert.equal(r.segments[1].label, 'calm');
  assert.equal(
    resultsCsv(r),
    [
      'source,kind,start_s,end_s,label,confidence,low_confidence,p_calm,p_angry',
      '"a, ""b"".wav",file,0.000,6.000,angry,0.750000,false,0.250000,0.750000',
      '"a, ""b"".wav",segment,0.500,3.500,angry,0.900000,false,0.100000,0.900000',
      '"a, ""b"".wav",segment,2.000,5.000,calm,0.600000,false,0.600000,0.400000',
      '',
    ].join('\n'),
  );
});

test('microphone results keep the segments, not the interim events', () => {
  const event = (type: 'segment' | 'interim', startS: number): StreamEvent => ({
    type,
    startS,
    endS: startS + 1,
    durationS: 1,
    ...answer(0.55),
  });
  const r = sessionResults(model, [event('segment', 0), event('interim', 1), event('segment', 2)], 4.5);
  assert.equal(r.source, 'microphone');
  assert.deepEqual(
    r.segments.map((s) => [s.startS, s.lowConfidence]),
    [
      [0, true],
      [2, true],
    ],
  );
  assert.equal(resultsCsv(r).trim().split('\n').length, 3);
});

test('timeline bar: overlapping windows meet halfway through their overlap; gaps stay gaps', () => {
  const seg = (startS: number, endS: number) => ({ kind: 'segment' as const, startS, endS, ...answer(0.9) });
  assert.deepEqual(displaySpans([seg(0, 3), seg(1.5, 4.5), seg(3, 6), seg(8, 9)]), [
    { startS: 0, endS: 2.25 },
    { startS: 2.25, endS: 3.75 },
    { startS: 3.75, endS: 6 },
    { startS: 8, endS: 9 },
  ]);
});

test('label colours: fixed for the bundled model, distinct spare colours for others', () => {
  const c = labelColors(['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised', 'x', 'y']);
  assert.equal(new Set(Object.values(c)).size, 9);
  assert.equal(c.angry, '#d55e00');
});
