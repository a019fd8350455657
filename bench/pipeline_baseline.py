#!/usr/bin/python3
"""libsndfile side of `npm run bench:pipeline` (dev-time baseline; not part of the product).

Run by bench/pipeline.ts with Debian's /usr/bin/python3 (python3-soundfile over libsndfile,
which decodes FLAC with libFLAC, MP3 with mpg123, Ogg with libvorbis / libopus).

Usage: pipeline_baseline.py LIST.json
  LIST.json: {"<format>": [file paths], ...}; every file is read into memory once, up front.
Protocol on stdin/stdout, one JSON object per line:
  -> {"ready": true, "soundfile": ..., "libsndfile": ...}   once, after loading the bytes
  <- "<format>" | "quit"
  -> {"format", "cpuSeconds", "samples", "checksum"}          per request
Each request decodes every file of that format with soundfile.read(BytesIO(bytes),
dtype='float32'), the call librosa.load makes first; timing is time.process_time() (CPU).
"""
import io
import json
import sys
import time

import soundfile

with open(sys.argv[1]) as f:
    lists = json.load(f)
data = {fmt: [open(p, "rb").read() for p in paths] for fmt, paths in lists.items()}
print(
    json.dumps({"ready": True, "soundfile": soundfile.__version__, "libsndfile": soundfile.__libsndfile_version__}),
    flush=True,
)
for line in sys.stdin:
    fmt = json.loads(line)
    if fmt == "quit":
        break
    samples = 0
    checksum = 0.0
    start = time.process_time()
    for b in data[fmt]:
        y, _ = soundfile.read(io.BytesIO(b), dtype="float32")
        samples += len(y)
        checksum += float(y[len(y) // 2])
    used = time.process_time() - start
    print(json.dumps({"format": fmt, "cpuSeconds": used, "samples": samples, "checksum": checksum}), flush=True)
