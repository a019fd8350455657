"""scikit-learn's TfidfVectorizer + LogisticRegression on MELD text, for comparison with emovox's
src/classical/ (scripts/text/meld-classical.ts). Dev-time only.

Run: /usr/bin/python3 reference/meld_tfidf_baseline.py [meld-text dir] [C ...]
Prints dev and test weighted F1 / UA for each C (char 2-5-grams, sublinear tf, l2 rows).
"""
import csv
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score


def load(root, split):
    with open(f'{root}/{split}_sent_emo.csv', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    return [r['Utterance'] for r in rows], [r['Emotion'] for r in rows]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '../shared/data/meld-text'
    cs = [float(c) for c in sys.argv[2:]] or [1, 2, 4, 8, 16, 32]
    (xtr, ytr), (xdv, ydv), (xte, yte) = (load(root, s) for s in ('train', 'dev', 'test'))
    v = TfidfVectorizer(analyzer='char', ngram_range=(2, 5), sublinear_tf=True)
    tr, dv, te = v.fit_transform(xtr), v.transform(xdv), v.transform(xte)
    print('features', tr.shape[1], flush=True)
    for c in cs:
        m = LogisticRegression(C=c, max_iter=2000).fit(tr, ytr)
        pd, pt = m.predict(dv), m.predict(te)
        print(f'C {c}: dev wF1 {100 * f1_score(ydv, pd, average="weighted"):.2f} '
              f'test wF1 {100 * f1_score(yte, pt, average="weighted"):.2f} '
              f'UA {100 * balanced_accuracy_score(yte, pt):.2f}', flush=True)


if __name__ == '__main__':
    main()
