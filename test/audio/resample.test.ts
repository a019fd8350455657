import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { resample, type ResampleQuality } from '../../src/audio/index.js';

function tone(freq: number, sr: number, seconds: number, amp = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * sr) },
    (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / sr + 0.3),
  );
}

/** Least-squares amplitude of a sinusoid at `freq` over the middle 80 % of `y`, and the RMS of what is left. */
function fitTone(y: Float32Array, freq: number, sr: number): { amplitude: number; residualRms: number } {
  const from = Math.floor(y.length * 0.1);
  const to = Math.floor(y.length * 0.9);
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let ys = 0;
  let yc = 0;
  const w = (2 * Math.PI * freq) / sr;
  for (let i = from; i < to; i++) {
    const s = Math.sin(w * i);
    const c = Math.cos(w * i);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    ys += y[i] * s;
    yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  let res = 0;
  for (let i = from; i < to; i++) {
    const r = y[i] - a * Math.sin(w * i) - b * Math.cos(w * i);
    res += r * r;
  }
  return { amplitude: Math.hypot(a, b), residualRms: Math.sqrt(res / (to - from)) };
}

function rmsMiddle(y: Float32Array): number {
  const from = Math.floor(y.length * 0.1);
  const to = Math.floor(y.length * 0.9);
  let s = 0;
  for (let i = from; i < to; i++) s += y[i] * y[i];
  return Math.sqrt(s / (to - from));
}

const db = (x: number) => 20 * Math.log10(x);

const PAIRS: Array<[number, number]> = [
  [16000, 22050],
  [22050, 16000],
  [48000, 16000],
  [44100, 16000],
  [16000, 48000],
  [44100, 16001], // L = 16001 phases: the interpolated-table path
  [16000, 17600.5], // non-integer rate: also interpolated
];

describe('resample (Kaiser-windowed sinc, polyphase)', () => {
  test('output length is ceil(n * srOut / srIn) like librosa', () => {
    for (const [a, b] of PAIRS) {
      for (const n of [0, 1, 7, 1000, 16001]) {
        assert.equal(resample(new Float32Array(n), a, b).length, Math.ceil((n * b) / a), `${a}->${b} n=${n}`);
      }
    }
    const y = Float32Array.from([1, 2, 3]);
    const same = resample(y, 8000, 8000);
    assert.deepEqual(same, y);
    assert.notEqual(same, y);
  });

  for (const [srIn, srOut] of PAIRS) {
    test(`${srIn} -> ${srOut} 'high': passband flat within ±0.1 dB (0.1..0.9 Nyquist), no spurious energy > -80 dB`, () => {
      const nyq = Math.min(srIn, srOut) / 2;
      for (const fraction of [0.1, 0.3, 0.5, 0.7, 0.8, 0.9]) {
        const f = fraction * nyq;
        const out = resample(tone(f, srIn, 0.25), srIn, srOut);
        const { amplitude, residualRms } = fitTone(out, f, srOut);
        assert.ok(Math.abs(db(amplitude / 0.5)) <= 0.1, `${f} Hz: gain ${db(amplitude / 0.5).toFixed(4)} dB`);
        assert.ok(
          db(residualRms / (0.5 / Math.SQRT2)) < -80,
          `${f} Hz: residual ${db(residualRms / (0.5 / Math.SQRT2)).toFixed(1)} dB`,
        );
      }
    });
  }

  for (const [srIn, srOut] of PAIRS.filter(([a, b]) => b < a)) {
    test(`${srIn} -> ${srOut} 'high': tones and a sweep above the new Nyquist are attenuated >= 80 dB`, () => {
      const nyqOut = srOut / 2;
      for (const fraction of [1.02, 1.1, 1.5, 2.5]) {
        const f = fraction * nyqOut;
        if (f >= srIn / 2) continue;
        const out = resample(tone(f, srIn, 0.25), srIn, srOut);
        const level = db(rmsMiddle(out) / (0.5 / Math.SQRT2));
        assert.ok(level <= -80, `${f} Hz -> ${level.toFixed(1)} dB`);
      }
      // Linear sweep across the whole stopband (1.02 x new Nyquist .. 0.98 x old Nyquist).
      const n = Math.round(0.5 * srIn);
      const f0 = 1.02 * nyqOut;
      const f1 = 0.98 * (srIn / 2);
      const sweep = Float32Array.from({ length: n }, (_, i) => {
        const t = i / srIn;
        return 0.5 * Math.sin(2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * (n / srIn))));
      });
      const level = db(rmsMiddle(resample(sweep, srIn, srOut)) / rmsMiddle(sweep));
      assert.ok(level <= -80, `stopband sweep -> ${level.toFixed(1)} dB`);
    });
  }

  test('zero delay: output equals the ideal band-limited tone at the output instants within -100 dB', () => {
    for (const [srIn, srOut] of PAIRS) {
      for (const f of [100, 1000, 0.85 * (Math.min(srIn, srOut) / 2)]) {
        const out = resample(tone(f, srIn, 0.25), srIn, srOut);
        let worst = 0;
        for (let n = Math.floor(out.length * 0.1); n < Math.floor(out.length * 0.9); n++) {
          worst = Math.max(worst, Math.abs(out[n] - 0.5 * Math.sin((2 * Math.PI * f * n) / srOut + 0.3)));
        }
        assert.ok(db(worst / 0.5) < -100, `${srIn}->${srOut} ${f} Hz: ${db(worst / 0.5).toFixed(1)} dB`);
      }
    }
  });

  test('a passband sweep keeps its level (±0.1 dB) and DC passes unchanged', () => {
    const srIn = 44100;
    const srOut = 16000;
    const n = srIn;
    const f0 = 50;
    const f1 = 0.9 * (srOut / 2);
    const sweep = Float32Array.from({ length: n }, (_, i) => {
      const t = i / srIn;
      return 0.5 * Math.sin(2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / 2));
    });
    const out = resample(sweep, srIn, srOut);
    assert.ok(Math.abs(db(rmsMiddle(out) / rmsMiddle(sweep))) < 0.1);
    const dc = resample(new Float32Array(4000).fill(0.5), 16000, 22050);
    for (let i = 1000; i < 4500; i++) assert.ok(Math.abs(dc[i] - 0.5) < 1e-4);
  });

  test('lower presets trade width for speed: medium flat to 0.8, low to 0.7 Nyquist', () => {
    const cases: Array<[ResampleQuality, number, number]> = [
      ['medium', 0.8, -60],
      ['low', 0.7, -40],
    ];
    for (const [quality, edge, stop] of cases) {
      const f = edge * 8000;
      const out = resample(tone(f, 48000, 0.25), 48000, 16000, { quality });
      assert.ok(Math.abs(db(fitTone(out, f, 16000).amplitude / 0.5)) <= 0.1, quality);
      const alias = resample(tone(1.1 * 8000, 48000, 0.25), 48000, 16000, { quality });
      assert.ok(db(rmsMiddle(alias) / (0.5 / Math.SQRT2)) <= stop, `${quality} stopband`);
    }
  });

  test("'high' meets its specification: passband within ±0.01 dB, stopband and images <= -100 dB", () => {
    for (const [srIn, srOut] of [
      [16000, 22050],
      [48000, 16000],
      [44100, 16000],
      [22050, 16000],
      [16000, 48000],
      [44100, 16001],
    ]) {
      const nyq = Math.min(srIn, srOut) / 2;
      for (let fraction = 0.02; fraction <= 0.9 + 1e-9; fraction += 0.04) {
        const f = fraction * nyq;
        const gain = db(fitTone(resample(tone(f, srIn, 0.5), srIn, srOut), f, srOut).amplitude / 0.5);
        assert.ok(Math.abs(gain) <= 0.01, `${srIn}->${srOut} ${f.toFixed(0)} Hz: ${gain.toFixed(5)} dB`);
      }
      if (srOut < srIn) {
        for (let fraction = 1.0; (fraction * srOut) / 2 < 0.99 * (srIn / 2); fraction += 0.05) {
          const f = (fraction * srOut) / 2;
          const level = db(rmsMiddle(resample(tone(f, srIn, 0.5), srIn, srOut)) / (0.5 / Math.SQRT2));
          assert.ok(level <= -100, `${srIn}->${srOut} ${f.toFixed(0)} Hz: ${level.toFixed(1)} dB`);
        }
      } else {
        // everything but the tone itself: the image at srIn - f and any other error
        for (let fraction = 0.05; fraction <= 0.99; fraction += 0.06) {
          const f = fraction * nyq;
          const { residualRms } = fitTone(resample(tone(f, srIn, 0.5), srIn, srOut), f, srOut);
          const level = db(residualRms / (0.5 / Math.SQRT2));
          assert.ok(level <= -100, `${srIn}->${srOut} ${f.toFixed(0)} Hz: image ${level.toFixed(1)} dB`);
        }
      }
    }
  });

  test('bad rates and qualities are input errors', () => {
    assert.throws(() => resample(new Float32Array(4), 0, 16000), /srIn=0/);
    assert.throws(() => resample(new Float32Array(4), 16000, NaN), /srOut=NaN/);
    assert.throws(
      () => resample(new Float32Array(4), 16000, 8000, { quality: 'best' as ResampleQuality }),
      /unknown quality/,
    );
  });

  test('speed: seconds of audio per CPU second (logged; must beat 50x real time for 16k -> 22050)', () => {
    const y = tone(440, 16000, 10);
    const t0 = process.cpuUsage();
    resample(y, 16000, 22050);
    const used = process.cpuUsage(t0);
    const speed = 10 / ((used.user + used.system) / 1e6);
    console.log(`resample 16000 -> 22050 'high': ${speed.toFixed(0)} x real time`);
    assert.ok(speed > 50);
  });
});
