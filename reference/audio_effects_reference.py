"""Golden values for emovox's timeStretch (src/audio/effects.ts, src/audio/stft.ts).

A numpy port of librosa 0.10's stft (center=True, pad_mode='constant', periodic Hann),
phase_vocoder and istft(length=...) as used by librosa.effects.time_stretch, run on a synthetic
signal both sides build from the same recipe. Every 7th output sample is stored (6 significant
digits) with the exact length and energy.

Usage: python3 reference/audio_effects_reference.py > test/fixtures/audio/time_stretch_golden.json
"""
import json

import numpy as np


def make_signal(n, sr):
    i = np.arange(n, dtype=np.float64)
    y = 0.4 * np.sin(2 * np.pi * 220 * i / sr) + 0.2 * np.sin(2 * np.pi * 1234.5 * i / sr) * (i / n)
    return y.astype(np.float32).astype(np.float64)


def hann(n):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def stft(y, n_fft, hop):
    pad = n_fft // 2
    yp = np.pad(y, (pad, pad), mode="constant")
    n_frames = 1 + (len(yp) - n_fft) // hop
    w = hann(n_fft)
    frames = np.stack([yp[t * hop : t * hop + n_fft] * w for t in range(n_frames)], axis=1)
    return np.fft.rfft(frames, axis=0)


def phase_vocoder(D, rate, hop, n_fft):
    time_steps = np.arange(0, D.shape[-1], rate, dtype=np.float64)
    d_stretch = np.zeros((D.shape[0], len(time_steps)), dtype=D.dtype)
    phi_advance = np.linspace(0, np.pi * hop, D.shape[0])
    phase_acc = np.angle(D[:, 0])
    D = np.pad(D, [(0, 0), (0, 2)], mode="constant")
    for t, step in enumerate(time_steps):
        columns = D[:, int(step) : int(step + 2)]
        alpha = np.mod(step, 1.0)
        mag = (1.0 - alpha) * np.abs(columns[:, 0]) + alpha * np.abs(columns[:, 1])
        d_stretch[:, t] = mag * np.exp(1j * phase_acc)
        dphase = np.angle(columns[:, 1]) - np.angle(columns[:, 0]) - phi_advance
        dphase = dphase - 2.0 * np.pi * np.round(dphase / (2.0 * np.pi))
        phase_acc += phi_advance + dphase
    return d_stretch


def istft(D, hop, length):
    n_fft = 2 * (D.shape[0] - 1)
    n_frames = D.shape[1]
    w = hann(n_fft)
    total = n_fft + hop * (n_frames - 1)
    y = np.zeros(total)
    wss = np.zeros(total)
    frames = np.fft.irfft(D, n=n_fft, axis=0)
    for t in range(n_frames):
        y[t * hop : t * hop + n_fft] += frames[:, t] * w
        wss[t * hop : t * hop + n_fft] += w**2
    nz = wss > np.finfo(np.float32).tiny
    y[nz] /= wss[nz]
    start = n_fft // 2
    out = y[start : start + length]
    return np.pad(out, (0, length - len(out)))


def time_stretch(y, rate, n_fft, hop):
    D = stft(y, n_fft, hop)
    return istft(phase_vocoder(D, rate, hop, n_fft), hop, int(round(len(y) / rate)))


CASES = [
    {"n": 4000, "sr": 8000, "rate": 1.5, "n_fft": 512, "hop": 128},
    {"n": 4000, "sr": 8000, "rate": 0.8, "n_fft": 512, "hop": 128},
    {"n": 3000, "sr": 8000, "rate": 2.0, "n_fft": 256, "hop": 64},
]


def main():
    out = []
    for c in CASES:
        y = make_signal(c["n"], c["sr"])
        z = time_stretch(y, c["rate"], c["n_fft"], c["hop"])
        out.append(dict(c, length=len(z), energy=float(np.sum(z**2)), every7=[float(f"{v:.6g}") for v in z[::7]]))
    print(json.dumps({"cases": out}))


if __name__ == "__main__":
    main()
