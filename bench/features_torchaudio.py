#!/usr/bin/python3
"""torchaudio side of `npm run bench:features` (dev-time baseline; not part of the product).

Run by bench/features.ts with Debian's /usr/bin/python3 (torch 1.13, torchaudio 0.13), one
thread (torch.set_num_threads(1), OMP/OPENBLAS/MKL_NUM_THREADS=1 set by the caller).

Usage: features_torchaudio.py AUDIO16.npy LENGTHS16.npy AUDIO22.npy LENGTHS22.npy
  AUDIOxx.npy: all clips concatenated ('<f4'), LENGTHSxx.npy: samples per clip ('<i4').
Protocol on stdin/stdout, one JSON object per line:
  -> {"ready": true, ...versions}      once, after loading
  <- "mfcc40" | "vector180" [N] | "quit"     (N: first N clips only, for warm-up)
  -> {"task", "cpuSeconds", "values", "checksum"}   per request
so the Node side can interleave repetitions across engines within one run. Transforms are built
once, before any timing (as for every engine); timing is time.process_time() (CPU, all threads).
"""
import json
import sys
import time

import numpy as np
import torch
import torchaudio

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def load_clips(audio_path, lengths_path):
    audio = np.load(audio_path)
    lengths = np.load(lengths_path)
    out, start = [], 0
    for n in lengths:
        out.append(torch.from_numpy(audio[start : start + int(n)].copy()))
        start += int(n)
    return out


clips16 = load_clips(sys.argv[1], sys.argv[2])
clips22 = load_clips(sys.argv[3], sys.argv[4])

MEL_COMMON = dict(n_fft=2048, hop_length=512, n_mels=128, norm="slaney", mel_scale="slaney", center=True, pad_mode="constant")
mfcc16 = torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=40, melkwargs=dict(MEL_COMMON))
# vector180 at 22050 Hz: torchaudio 0.13 has no chroma, so this computes the mel spectrogram once
# and the 40 MFCCs from it (exactly what transforms.MFCC does inside), then time means:
# 40 + 128 = 168 of the 180 values; the 12 chroma values are missing.
mel22 = torchaudio.transforms.MelSpectrogram(sample_rate=22050, **MEL_COMMON)
to_db = torchaudio.transforms.AmplitudeToDB("power", top_db=80.0)
dct = torchaudio.functional.create_dct(40, 128, "ortho")


def run_mfcc40(limit):
    values, checksum = 0, 0.0
    t0 = time.process_time()
    with torch.no_grad():
        for y in clips16[:limit]:
            m = mfcc16(y)
            values += m.numel()
            checksum += float(m[:, 0].sum())
    return time.process_time() - t0, values, checksum


def run_vector180(limit):
    values, checksum = 0, 0.0
    t0 = time.process_time()
    with torch.no_grad():
        for y in clips22[:limit]:
            mel = mel22(y)
            mfcc = torch.matmul(to_db(mel).transpose(-1, -2), dct).transpose(-1, -2)
            vec = torch.cat([mfcc.mean(-1), mel.mean(-1)])
            values += vec.numel()
            checksum += float(vec[0])
    return time.process_time() - t0, values, checksum


TASKS = {"mfcc40": run_mfcc40, "vector180": run_vector180}

print(
    json.dumps(
        {
            "ready": True,
            "torch": torch.__version__,
            "torchaudio": torchaudio.__version__,
            "threads": torch.get_num_threads(),
            "clips": len(clips16),
        }
    ),
    flush=True,
)
for line in sys.stdin:
    words = line.split()
    task = words[0] if words else ""
    limit = int(words[1]) if len(words) > 1 else None  # first N clips only (warm-up)
    if task == "quit":
        break
    if task not in TASKS:
        print(json.dumps({"task": task, "error": "unknown task"}), flush=True)
        continue
    cpu, values, checksum = TASKS[task](limit)
    print(json.dumps({"task": task, "cpuSeconds": cpu, "values": values, "checksum": checksum}), flush=True)
