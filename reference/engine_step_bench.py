"""PyTorch side of bench/engine-step.ts: ms per training step of a small MLP and a small CNN.

Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 reference/engine_step_bench.py THREADS STEPS
Prints one JSON object: {"mlp": ms_per_step, "cnn": ms_per_step} (median of 3 timed runs).
Same shapes, initialisation and optimiser as bench/engine-step.ts.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

threads, steps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)


def mlp_case():
    l1, l2, l3 = torch.nn.Linear(256, 512), torch.nn.Linear(512, 512), torch.nn.Linear(512, 10)
    params = [*l1.parameters(), *l2.parameters(), *l3.parameters()]
    x, y = torch.randn(256, 256), torch.randint(0, 10, (256,))
    return params, lambda: F.cross_entropy(l3(F.relu(l2(F.relu(l1(x))))), y)


def cnn_case():
    c1, c2, fc = torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.Linear(32, 10)
    bn = torch.nn.BatchNorm2d(16)
    params = [*c1.parameters(), *bn.parameters(), *c2.parameters(), *fc.parameters()]
    x, y = torch.randn(32, 1, 64, 64), torch.randint(0, 10, (32,))

    def fwd():
        h = F.max_pool2d(F.relu(bn(c1(x))), 2)
        h = F.adaptive_avg_pool2d(F.relu(c2(h)), 1).flatten(1)
        return F.cross_entropy(fc(h), y)

    return params, fwd


out = {}
for name, make in (("mlp", mlp_case), ("cnn", cnn_case)):
    params, fwd = make()
    opt = torch.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad()
        fwd().backward()
        opt.step()

    for _ in range(5):
        step()
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        runs.append((time.perf_counter() - t0) / steps * 1000)
    out[name] = statistics.median(runs)
print(json.dumps(out))
