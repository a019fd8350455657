"""The classical line of the training issue: scikit-learn's RBF-SVM on an emovox feature set.

Reads the arrays bench/train.ts exports (features.f32, targets.i32, speakers.json, data.json with
the folds), trains SVC(C=10, gamma='scale') on each fold's training + validation speakers and
prints one JSON line with the per-fold test UA, with global z-scoring (StandardScaler fitted on
the training rows) and with per-speaker z-scoring (each speaker with its own statistics).

  /usr/bin/python3 reference/svm_baseline.py <export-dir>

Dev-time only; needs numpy and scikit-learn (Debian python3-sklearn).
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.metrics import balanced_accuracy_score
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def per_speaker(x, speakers):
    out = x.copy()
    for s in np.unique(speakers):
        m = speakers == s
        out[m] = (x[m] - x[m].mean(0)) / np.maximum(x[m].std(0), 1e-6)
    return out


def main():
    d = sys.argv[1]
    meta = json.load(open(os.path.join(d, 'data.json')))
    y = np.fromfile(os.path.join(d, 'targets.i32'), dtype='<i4')
    x = np.fromfile(os.path.join(d, 'features.f32'), dtype='<f4').reshape(len(y), -1).astype(np.float64)
    speakers = np.array(json.load(open(os.path.join(d, 'speakers.json'))))
    start = time.perf_counter()
    result = {}
    for mode, xs in (('global', x), ('speaker', per_speaker(x, speakers))):
        uas = []
        for f in meta['folds']:
            train = np.array(f['trainOriginals'] + f['val'], dtype=np.int64)
            test = np.array(f['test'], dtype=np.int64)
            scaler = StandardScaler().fit(xs[train])
            clf = SVC(C=10, gamma='scale').fit(scaler.transform(xs[train]), y[train])
            uas.append(float(balanced_accuracy_score(y[test], clf.predict(scaler.transform(xs[test])))))
        result[mode] = {'folds': uas, 'mean': float(np.mean(uas)), 'std': float(np.std(uas))}
    result['wallSeconds'] = time.perf_counter() - start
    print(json.dumps(result))


if __name__ == '__main__':
    main()
