"""PyTorch twin of emovox's cnn1d recipe (recipes/cnn1d-vector180.yaml), for bench/train.ts.

Reads the feature arrays and folds that emovox exported (same rows, same validation speakers,
same test folds), trains the same 1-D CNN (reference/emovox_models.py) with the same loop
settings, and prints one JSON line: per-fold test UA/WA and the wall time.

  /usr/bin/python3 reference/cnn1d_recipe.py <export-dir>

<export-dir>/data.json: { classes, folds: [{ name, train, val, test }], training: {...},
  model: {...} }; features.f32: rows x dims float32 (little-endian, raw, unnormalised);
targets.i32: class index per row. Dev-time only; needs torch and scikit-learn.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score

sys.path.insert(0, os.path.dirname(__file__))
from emovox_models import build  # noqa: E402


def ua(truth, pred):
    return float(balanced_accuracy_score(truth, pred))


def run_fold(x, y, fold, cfg, t, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    tr, va, te = (np.array(fold[k], dtype=np.int64) for k in ('train', 'val', 'test'))
    originals = np.array(fold['trainOriginals'], dtype=np.int64)
    mean = x[originals].mean(0)
    std = np.maximum(x[originals].std(0), 1e-6)
    xn = torch.from_numpy(((x - mean) / std).astype(np.float32))
    yt = torch.from_numpy(y.astype(np.int64))
    model = build(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=t['optimizer']['lr'],
                           weight_decay=t['optimizer']['weightDecay'])
    s = t['schedule']
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
        opt, mode='max', factor=s['factor'], patience=s['patience'], min_lr=s['minLr'],
        threshold=0, threshold_mode='abs')
    best, best_state, bad = -1.0, None, 0
    for epoch in range(t['epochs']):
        model.train()
        order = rng.permutation(tr)
        batches = [order[i:i + t['batchSize']] for i in range(0, len(order), t['batchSize'])]
        if len(batches) > 1 and len(batches[-1]) < 2:
            batches.pop()
        for b in batches:
            b = torch.from_numpy(b)
            loss = F.cross_entropy(model(xn[b]), yt[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            pred = model(xn[torch.from_numpy(va)]).argmax(1).numpy()
        score = ua(y[va], pred)
        sched.step(score)
        if score > best:
            best, bad = score, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            if t['earlyStopping']['patience'] > 0 and bad >= t['earlyStopping']['patience']:
                break
    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        pred = model(xn[torch.from_numpy(te)]).argmax(1).numpy()
    return {'name': fold['name'], 'ua': ua(y[te], pred), 'wa': float((pred == y[te]).mean()),
            'epochs': epoch + 1, 'valUa': best}


def main():
    d = sys.argv[1]
    meta = json.load(open(os.path.join(d, 'data.json')))
    threads = int(os.environ.get('TORCH_THREADS', '0'))
    if threads > 0:
        torch.set_num_threads(threads)
    y = np.fromfile(os.path.join(d, 'targets.i32'), dtype='<i4')
    x = np.fromfile(os.path.join(d, 'features.f32'), dtype='<f4').reshape(len(y), -1).astype(np.float64)
    start = time.perf_counter()
    folds = []
    for i, f in enumerate(meta['folds']):
        folds.append(run_fold(x, y, f, meta['model'], meta['training'], meta['seed'] + i))
        # One line per finished fold on stderr, so a long run shows progress (and what a
        # stopped run had finished).
        print(json.dumps({**folds[-1], 'seconds': time.perf_counter() - start}),
              file=sys.stderr, flush=True)
    print(json.dumps({'folds': folds, 'wallSeconds': time.perf_counter() - start,
                      'torch': torch.__version__, 'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()
