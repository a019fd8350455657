#!/usr/bin/python3
"""Golden values for emovox's evaluation metrics (src/eval/, src/report/text.ts).

Random single-label prediction sets (several sizes and class counts, imbalanced priors, classes
absent from the truth, from the predictions or from both, a single class, rounding ties) scored
by scikit-learn 1.2 (Debian python3-sklearn):
  accuracy_score, balanced_accuracy_score, precision_recall_fscore_support (per class with
  labels=range(K); macro/weighted with labels=None, i.e. over the classes present in truth or
  predictions; zero_division=0), confusion_matrix(labels=range(K)), classification_report
  (labels=None, target_names of the present classes, zero_division=0, digits 2, 3 and 4),
  log_loss(labels=range(K)).
ECE (15 equal-width bins, top label) by a plain numpy implementation; temperature scaling by
scipy.optimize.minimize_scalar (bounded, on log T in [log 0.01, log 100]) on the same NLL;
per-group accuracy and balanced accuracy; cross-fold mean, np.std (ddof=0) and pooled metrics;
multi-label indicator metrics (CMU-MOSEI emotions: per-label P/R/F1, accuracy, balanced
"weighted accuracy", micro/macro/weighted/samples averages, subset accuracy, Hamming loss); and
sentiment-regression metrics as the MMSA toolkit's eval_mosei_regression computes them (MAE,
Pearson r, Acc-7, Acc-5 with np.round, Acc-2 and weighted F1 with and without zero truths).

Probabilities and logits are float32 (as emovox models produce them), stored as base64 of their
little-endian bytes, so both sides score identical inputs.

Usage (Debian's Python, which has python3-sklearn):
    /usr/bin/python3 reference/eval_golden.py
writes test/fixtures/eval/{classification,calibration,groups,aggregate,multilabel,regression}.json.
"""
import base64
import json
import os
import warnings

import numpy as np
import scipy
import sklearn
from scipy.optimize import minimize_scalar
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    hamming_loss,
    log_loss,
    precision_recall_fscore_support,
)

warnings.filterwarnings("ignore")

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "eval")
NAMES = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised", "ps", "other_emotion_long"]


def f32list(a):
    """float32 values as base64 of their little-endian bytes: compact, and exact on both sides
    (Python scores their float64 values, JavaScript reads the same bits into a Float32Array)."""
    return base64.b64encode(np.asarray(a, dtype="<f4").ravel().tobytes()).decode("ascii")


def f32read(b64):
    return np.frombuffer(base64.b64decode(b64), dtype="<f4").astype(np.float64)


def softmax32(logits):
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def make_case(rng, name, n, k, skill=0.6, prior_alpha=1.0, drop_truth=(), drop_pred=(), probs=True):
    """Truth from an imbalanced prior, predictions right with probability `skill` else random;
    classes in drop_truth never occur in the truth, those in drop_pred are never predicted."""
    prior = rng.dirichlet(np.full(k, prior_alpha))
    allowed_t = [c for c in range(k) if c not in drop_truth]
    pt = prior[allowed_t] / prior[allowed_t].sum()
    truth = rng.choice(allowed_t, size=n, p=pt)
    allowed_p = [c for c in range(k) if c not in drop_pred]
    logits = rng.normal(0.0, 1.0, size=(n, k)) * 1.5
    for i in range(n):
        if rng.random() < skill:
            logits[i, truth[i]] += 3.0
    if drop_pred:
        logits[:, list(drop_pred)] = -1e9
    pred = np.array([allowed_p[int(np.argmax(logits[i, allowed_p]))] for i in range(n)])
    case = {"name": name, "labels": NAMES[:k], "truth": truth.tolist(), "predicted": pred.tolist()}
    if probs and k >= 2:
        lg = np.where(logits < -1e8, -30.0, logits)
        case["probabilities"] = softmax32(lg)
    return case


def report_labels(truth, pred):
    return sorted(set(truth) | set(pred))


def score(case):
    t = np.array(case["truth"])
    p = np.array(case["predicted"])
    k = len(case["labels"])
    ks = list(range(k))
    pc, rc, fc, sc = precision_recall_fscore_support(t, p, labels=ks, average=None, zero_division=0)
    exp = {
        "accuracy": accuracy_score(t, p),
        "balancedAccuracy": balanced_accuracy_score(t, p),
        "perClass": {"precision": pc.tolist(), "recall": rc.tolist(), "f1": fc.tolist(), "support": sc.tolist()},
        "confusion": confusion_matrix(t, p, labels=ks).tolist(),
    }
    for avg in ("macro", "weighted"):
        pa, ra, fa, _ = precision_recall_fscore_support(t, p, average=avg, zero_division=0)
        exp[avg] = {"precision": float(pa), "recall": float(ra), "f1": float(fa)}
    present = report_labels(t.tolist(), p.tolist())
    names = [case["labels"][c] for c in present]
    exp["report"] = {
        str(d): classification_report(t, p, target_names=names, digits=d, zero_division=0) for d in (2, 3, 4)
    }
    if "probabilities" in case:
        case["probabilities"] = f32list(case["probabilities"])
        probs = f32read(case["probabilities"]).reshape(len(case["truth"]), k)
        exp["logLoss"] = log_loss(t, probs, labels=ks)
        exp["ece"] = ece_numpy(probs, t, 15)
        exp["ece10"] = ece_numpy(probs, t, 10)
    case["expected"] = exp
    return case


def ece_numpy(probs, truth, bins):
    conf = probs.max(axis=1)
    pred = probs.argmax(axis=1)
    correct = (pred == truth).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (conf > lo) & (conf <= hi)
        prop = in_bin.mean()
        if prop > 0:
            ece += abs(correct[in_bin].mean() - conf[in_bin].mean()) * prop
    return float(ece)


def nll(logits, truth, temperature):
    z = logits / temperature
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.mean(lse - z[np.arange(len(truth)), truth]))


def temperature_case(rng, name, n, k, scale, skill, separable=False):
    truth = rng.integers(0, k, size=n)
    logits = rng.normal(0.0, 1.0, size=(n, k))
    for i in range(n):
        if separable or rng.random() < skill:
            logits[i, truth[i]] += 2.5 if not separable else 6.0
    logits = (logits * scale).astype(np.float32)
    lg = logits.astype(np.float64)
    res = minimize_scalar(
        lambda u: nll(lg, truth, np.exp(u)),
        bounds=(np.log(0.01), np.log(100.0)),
        method="bounded",
        options={"xatol": 1e-10, "maxiter": 1000},
    )
    t_opt = float(np.exp(res.x))
    return {
        "name": name,
        "classes": k,
        "truth": truth.tolist(),
        "logits": f32list(logits),
        "temperature": t_opt,
        "nllAtTemperature": nll(lg, truth, t_opt),
        "nllAtOne": nll(lg, truth, 1.0),
        "probabilitiesAtTemperature": f32list(softmax32(lg / t_opt)[:4]),
        "atBound": bool(abs(res.x - np.log(0.01)) < 1e-6 or abs(res.x - np.log(100.0)) < 1e-6),
    }


MOSEI_EMOTIONS = ["happy", "sad", "anger", "surprise", "disgust", "fear"]


def multilabel_case(rng, name, n, density=0.3, skill=0.7, empty_truth_label=None, empty_pred_label=None):
    truth = (rng.random((n, 6)) < density).astype(int)
    flip = rng.random((n, 6)) > skill
    pred = np.where(flip, 1 - truth, truth)
    if empty_truth_label is not None:
        truth[:, empty_truth_label] = 0
    if empty_pred_label is not None:
        pred[:, empty_pred_label] = 0
    exp = {}
    p, r, f, s = precision_recall_fscore_support(truth, pred, average=None, zero_division=0)
    exp["perLabel"] = {"precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist()}
    exp["accuracy"] = [accuracy_score(truth[:, j], pred[:, j]) for j in range(6)]
    exp["weightedAccuracy"] = [balanced_accuracy_score(truth[:, j], pred[:, j]) for j in range(6)]
    for avg in ("micro", "macro", "weighted", "samples"):
        pa, ra, fa, _ = precision_recall_fscore_support(truth, pred, average=avg, zero_division=0)
        exp[avg] = {"precision": float(pa), "recall": float(ra), "f1": float(fa)}
    exp["subsetAccuracy"] = accuracy_score(truth, pred)
    exp["hammingLoss"] = hamming_loss(truth, pred)
    return {"name": name, "labels": MOSEI_EMOTIONS, "truth": truth.ravel().tolist(), "predicted": pred.ravel().tolist(), "expected": exp}


def regression_case(rng, name, n, zeros=0.1, noise=1.0):
    truth = np.clip(np.round(rng.normal(0.3, 1.4, size=n) * 3) / 3, -3, 3)
    truth[rng.random(n) < zeros] = 0.0
    pred = np.clip(truth * 0.7 + rng.normal(0, noise, size=n), -3.4, 3.4)
    # exact .5 values exercise round-half-even in Acc-7 / Acc-5
    pred[: max(1, n // 10)] = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])[np.arange(max(1, n // 10)) % 6]
    tp, pp = truth.astype(np.float64), pred.astype(np.float64)
    non_zeros = np.array([i for i, e in enumerate(tp) if e != 0])
    exp = {
        "mae": float(np.mean(np.absolute(pp - tp))),
        "pearson": float(np.corrcoef(pp, tp)[0][1]),
        "acc7": float(np.sum(np.round(np.clip(pp, -3, 3)) == np.round(np.clip(tp, -3, 3))) / float(len(tp))),
        "acc5": float(np.sum(np.round(np.clip(pp, -2, 2)) == np.round(np.clip(tp, -2, 2))) / float(len(tp))),
        "acc2": accuracy_score(tp >= 0, pp >= 0),
        "f1": f1_score(tp >= 0, pp >= 0, average="weighted"),
        "acc2NonZero": accuracy_score(tp[non_zeros] > 0, pp[non_zeros] > 0),
        "f1NonZero": f1_score(tp[non_zeros] > 0, pp[non_zeros] > 0, average="weighted"),
        "nNonZero": int(len(non_zeros)),
    }
    return {"name": name, "truth": tp.tolist(), "predicted": pp.tolist(), "expected": exp}


def main():
    rng = np.random.default_rng(20240611)
    cases = []
    cases.append(make_case(rng, "one example", 1, 4))
    cases.append(make_case(rng, "tiny", 5, 3))
    for n, k in ((40, 2), (40, 8), (257, 4), (257, 8), (600, 3)):
        cases.append(make_case(rng, f"n{n} k{k}", n, k))
    cases.append(make_case(rng, "imbalanced k8", 400, 8, prior_alpha=0.3))
    cases.append(make_case(rng, "long names k10", 300, 10, skill=0.4))
    cases.append(make_case(rng, "absent from truth", 200, 6, drop_truth=(1, 4)))
    cases.append(make_case(rng, "absent from predictions", 200, 6, drop_pred=(2,)))
    cases.append(make_case(rng, "absent from both", 150, 6, drop_truth=(0, 5), drop_pred=(0, 3)))
    cases.append(make_case(rng, "near chance", 333, 8, skill=0.0))
    cases.append(make_case(rng, "perfect", 120, 5, skill=1.0))
    cases.append(make_case(rng, "single class K=1", 30, 1, probs=False))
    one = {"name": "single class present of 4", "labels": NAMES[:4], "truth": [2] * 17, "predicted": [2] * 17}
    cases.append(one)
    wrong = {"name": "single true class, other predictions", "labels": NAMES[:3], "truth": [0] * 9, "predicted": [0, 1, 2, 1, 0, 0, 1, 2, 0]}
    cases.append(wrong)
    # Rounding ties at 2 digits: precision 1/8 = 0.125 and 3/8 = 0.375, recall 5/8 = 0.625,
    # which Python rounds half to even and JavaScript's toFixed rounds up.
    tie_t = [0] * 8 + [1] * 8 + [2] * 8
    tie_p = [0] * 5 + [1] * 3 + [1] * 3 + [0] * 5 + [2] * 1 + [0] * 7
    cases.append({"name": "rounding ties", "labels": NAMES[:3], "truth": tie_t, "predicted": tie_p})
    cases = [score(c) for c in cases]

    temps = [
        temperature_case(rng, "overconfident", 300, 6, scale=4.0, skill=0.6),
        temperature_case(rng, "underconfident", 300, 6, scale=0.5, skill=0.8),
        temperature_case(rng, "two classes", 80, 2, scale=2.0, skill=0.5),
        temperature_case(rng, "many classes", 250, 10, scale=3.0, skill=0.5),
        temperature_case(rng, "separable (lower bound)", 40, 3, scale=0.02, skill=1.0, separable=True),
    ]

    groups_truth = rng.integers(0, 5, size=240)
    groups_pred = np.where(rng.random(240) < 0.55, groups_truth, rng.integers(0, 5, size=240))
    speakers = [f"spk{s}" for s in rng.integers(1, 13, size=240)]
    group_rows = []
    for g in sorted(set(speakers), key=lambda s: int(s[3:])):
        idx = [i for i, s in enumerate(speakers) if s == g]
        group_rows.append(
            {
                "group": g,
                "n": len(idx),
                "accuracy": accuracy_score(groups_truth[idx], groups_pred[idx]),
                "ua": balanced_accuracy_score(groups_truth[idx], groups_pred[idx]),
            }
        )
    groups = {"truth": groups_truth.tolist(), "predicted": groups_pred.tolist(), "groups": speakers, "expected": group_rows}

    folds = []
    for f in range(6):
        c = make_case(rng, f"fold{f + 1}", int(rng.integers(60, 140)), 8)
        c["probabilities"] = f32list(c["probabilities"])
        folds.append(c)
    per_fold = []
    for c in folds:
        t, p = np.array(c["truth"]), np.array(c["predicted"])
        per_fold.append(
            {
                "ua": balanced_accuracy_score(t, p),
                "wa": accuracy_score(t, p),
                "macroF1": precision_recall_fscore_support(t, p, average="macro", zero_division=0)[2],
                "weightedF1": precision_recall_fscore_support(t, p, average="weighted", zero_division=0)[2],
            }
        )
    t_all = np.concatenate([np.array(c["truth"]) for c in folds])
    p_all = np.concatenate([np.array(c["predicted"]) for c in folds])
    probs_all = np.concatenate([f32read(c["probabilities"]).reshape(-1, 8) for c in folds])
    aggregate = {
        "folds": folds,
        "expected": {
            **{m: {"mean": float(np.mean([r[m] for r in per_fold])), "std": float(np.std([r[m] for r in per_fold]))} for m in ("ua", "wa", "macroF1", "weightedF1")},
            "pooled": {
                "ua": balanced_accuracy_score(t_all, p_all),
                "wa": accuracy_score(t_all, p_all),
                "macroF1": precision_recall_fscore_support(t_all, p_all, average="macro", zero_division=0)[2],
                "ece": ece_numpy(probs_all, t_all, 15),
                "logLoss": log_loss(t_all, probs_all, labels=list(range(8))),
                "confusion": confusion_matrix(t_all, p_all, labels=list(range(8))).tolist(),
            },
        },
    }

    multilabel = [
        multilabel_case(rng, "n1", 1),
        multilabel_case(rng, "n50", 50),
        multilabel_case(rng, "n300 sparse", 300, density=0.12),
        multilabel_case(rng, "label never true", 80, empty_truth_label=3),
        multilabel_case(rng, "label never predicted", 80, empty_pred_label=5),
        multilabel_case(rng, "perfect", 40, skill=1.0),
    ]
    regression = [
        regression_case(rng, "n12", 12),
        regression_case(rng, "n200", 200),
        regression_case(rng, "n500 many zeros", 500, zeros=0.4, noise=0.6),
    ]

    versions = {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__}
    os.makedirs(OUT, exist_ok=True)
    for name, payload in (
        ("classification", {"versions": versions, "cases": cases}),
        ("calibration", {"versions": versions, "temperature": temps}),
        ("groups", {"versions": versions, **groups}),
        ("aggregate", {"versions": versions, **aggregate}),
        ("multilabel", {"versions": versions, "cases": multilabel}),
        ("regression", {"versions": versions, "cases": regression}),
    ):
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(payload, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
