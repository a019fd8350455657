"""Golden values for emovox's trim / split (src/audio/trim.ts).

A numpy port of librosa 0.10's effects.trim, effects.split and _signal_to_frame_nonsilent
(feature.rms with center=True, pad_mode='constant'; amplitude_to_db with amin=1e-5, ref=np.max;
frames_to_samples = frames * hop_length), run on synthetic signals that both sides build from the
same exact recipe (so no audio is stored). Computed in float64.

Usage: python3 reference/audio_trim_reference.py > test/fixtures/audio/trim_golden.json
"""
import json

import numpy as np


def make_signal(segments):
    """Concatenates segments: {"n", "kind": "zero"|"saw", "a0", "a1", "period"}.

    A saw segment is amp_i * (((i % period) / (period - 1)) * 2 - 1), amp_i linear from a0 to a1;
    the result is rounded to float32 like audio loaded from a file.
    """
    parts = []
    for s in segments:
        n = s["n"]
        if s["kind"] == "zero":
            parts.append(np.zeros(n))
            continue
        i = np.arange(n, dtype=np.float64)
        amp = s["a0"] + (s["a1"] - s["a0"]) * i / n
        p = s["period"]
        parts.append(amp * (((i % p) / (p - 1)) * 2 - 1))
    return np.concatenate(parts).astype(np.float32).astype(np.float64)


def frame_rms(y, frame_length, hop_length):
    pad = frame_length // 2
    yp = np.pad(y, (pad, pad), mode="constant")
    n_frames = 1 + (len(yp) - frame_length) // hop_length
    idx = np.arange(frame_length)[None, :] + hop_length * np.arange(n_frames)[:, None]
    return np.sqrt(np.mean(np.abs(yp[idx]) ** 2, axis=1))


def nonsilent(y, top_db, frame_length, hop_length, ref=None):
    rms = frame_rms(y, frame_length, hop_length)
    ref_value = np.max(rms) if ref is None else ref
    amin = 1e-5
    db = 10 * np.log10(np.maximum(amin**2, rms**2)) - 10 * np.log10(np.maximum(amin**2, ref_value**2))
    return db > -top_db


def trim(y, top_db, frame_length, hop_length, ref=None):
    ns = nonsilent(y, top_db, frame_length, hop_length, ref)
    nz = np.flatnonzero(ns)
    if nz.size > 0:
        start = int(nz[0] * hop_length)
        end = min(len(y), int((nz[-1] + 1) * hop_length))
    else:
        start, end = 0, 0
    return start, end


def split(y, top_db, frame_length, hop_length, ref=None):
    ns = nonsilent(y, top_db, frame_length, hop_length, ref)
    edges = np.flatnonzero(np.diff(ns.astype(int)))
    edges = [edges + 1]
    if ns[0]:
        edges.insert(0, [0])
    if ns[-1]:
        edges.append([len(ns)])
    edges = np.concatenate(edges) * hop_length
    edges = np.minimum(edges, len(y))
    return edges.reshape((-1, 2)).tolist()


SIGNALS = {
    "tone_in_silence": [
        {"n": 5000, "kind": "zero"},
        {"n": 8000, "kind": "saw", "a0": 0.5, "a1": 0.5, "period": 37},
        {"n": 7000, "kind": "zero"},
    ],
    "two_bursts_low_floor": [
        {"n": 3000, "kind": "saw", "a0": 0.001, "a1": 0.001, "period": 11},
        {"n": 4000, "kind": "saw", "a0": 0.3, "a1": 0.6, "period": 53},
        {"n": 6000, "kind": "saw", "a0": 0.001, "a1": 0.001, "period": 11},
        {"n": 3000, "kind": "saw", "a0": 0.8, "a1": 0.2, "period": 29},
        {"n": 2500, "kind": "saw", "a0": 0.001, "a1": 0.001, "period": 11},
    ],
    "fade_in_out": [
        {"n": 6000, "kind": "saw", "a0": 0.0, "a1": 0.9, "period": 41},
        {"n": 6000, "kind": "saw", "a0": 0.9, "a1": 0.0, "period": 41},
    ],
    "short": [{"n": 700, "kind": "saw", "a0": 0.2, "a1": 0.2, "period": 13}],
    "silent": [{"n": 4000, "kind": "zero"}],
}

CASES = [
    {"signal": "tone_in_silence", "top_db": 60, "frame_length": 2048, "hop_length": 512},
    {"signal": "tone_in_silence", "top_db": 20, "frame_length": 1024, "hop_length": 256},
    {"signal": "two_bursts_low_floor", "top_db": 60, "frame_length": 2048, "hop_length": 512},
    {"signal": "two_bursts_low_floor", "top_db": 30, "frame_length": 2048, "hop_length": 512},
    {"signal": "two_bursts_low_floor", "top_db": 30, "frame_length": 512, "hop_length": 128},
    {"signal": "two_bursts_low_floor", "top_db": 30, "frame_length": 400, "hop_length": 160, "ref": 1.0},
    {"signal": "fade_in_out", "top_db": 10, "frame_length": 2048, "hop_length": 512},
    {"signal": "fade_in_out", "top_db": 40, "frame_length": 1000, "hop_length": 300},
    {"signal": "short", "top_db": 60, "frame_length": 2048, "hop_length": 512},
    {"signal": "silent", "top_db": 60, "frame_length": 2048, "hop_length": 512},
]


def main():
    cases = []
    for c in CASES:
        y = make_signal(SIGNALS[c["signal"]])
        args = (y, c["top_db"], c["frame_length"], c["hop_length"], c.get("ref"))
        out = dict(c)
        out["n"] = len(y)
        out["nonsilent"] = "".join("1" if v else "0" for v in nonsilent(*args))
        out["trim"] = list(trim(*args))
        out["split"] = split(*args)
        cases.append(out)
    print(json.dumps({"signals": SIGNALS, "cases": cases}, indent=1))


if __name__ == "__main__":
    main()
