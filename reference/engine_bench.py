"""PyTorch side of `npm run bench:engine` (bench/engine.ts runs it; dev-time only).

Trains each model for one epoch on the data files bench/engine.ts wrote (raw little-endian
float32 / int32, shapes in the request JSON) and times batch-1 and batch-64 inference, with the
thread count it is given. Prints one JSON object on the last line.
Usage: /usr/bin/python3 reference/engine_bench.py REQUEST.json
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import emovox_models as zoo  # noqa: E402


def load(spec):
    dtype = {'float32': '<f4', 'int32': '<i4', 'int64': '<i8'}[spec['dtype']]
    a = np.fromfile(spec['path'], dtype=dtype).reshape(spec['shape'])
    return torch.from_numpy(a.copy())


def main():
    req = json.load(open(sys.argv[1]))
    threads = int(req['threads'])
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    out = {'threads': threads, 'torch': torch.__version__, 'openblas_threads': os.environ.get('OPENBLAS_NUM_THREADS'),
           'models': {}}
    for m in req['models']:
        inputs = {k: load(v) for k, v in m['inputs'].items()}
        labels = load(m['labels']).long()
        model = zoo.build(m['config'])
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        n, bs = labels.shape[0], m['batch']
        names = list(inputs)

        def step(lo, hi):
            logits = model(*[inputs[k][lo:hi] for k in names])
            loss = F.cross_entropy(logits, labels[lo:hi])
            opt.zero_grad()
            loss.backward()
            opt.step()

        model.train()
        step(0, bs)  # warm-up (allocator, kernels)
        c0 = time.process_time()
        t0 = time.perf_counter()
        for lo in range(0, n, bs):
            step(lo, min(lo + bs, n))
        train_s = time.perf_counter() - t0
        train_cpu = time.process_time() - c0

        model.eval()
        infer = {}
        with torch.inference_mode():
            for b, reps in ((1, m['reps1']), (64, m['reps64'])):
                x = [inputs[k][:b] for k in names]
                for _ in range(3):
                    model(*x)
                best = float('inf')
                for _ in range(5):  # fastest of 5 chunks, as bench/engine.ts does for onnxruntime
                    t0 = time.perf_counter()
                    for _ in range(reps):
                        model(*x)
                    best = min(best, (time.perf_counter() - t0) / reps)
                infer[f'b{b}'] = best
        out['models'][m['name']] = {'trainEpochS': train_s, 'trainCpuS': train_cpu, 'inferS': infer}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
