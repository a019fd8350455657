"""Writes test/fixtures/classical/golden.json: scikit-learn's TfidfVectorizer and multinomial
LogisticRegression on a small made-up corpus, for src/classical/ (TF-IDF + logistic regression).

Run: /usr/bin/python3 reference/classical_golden.py
"""
import json
import os

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

TRAIN = [
    ('Oh my God, I am so happy for you!', 0),
    ('This is the best day ever!!', 0),
    ('Yay! We won the tickets!', 0),
    ('I love it, thank you so much.', 0),
    ('Great, great news, really great.', 0),
    ("I can't believe you did that to me.", 1),
    ('Get out of my apartment right now!', 1),
    ('Stop it. I mean it, stop!', 1),
    ('You ruined everything, Ross.', 1),
    ('That is so unfair, I hate this!', 1),
    ('Okay, so what time is the meeting?', 2),
    ('I think the store closes at nine.', 2),
    ('He said he will call tomorrow.', 2),
    ('The coffee is on the table.', 2),
    ('We need to buy milk and bread.', 2),
    ('So, how was your day?', 2),
    ('I miss her so much...', 3),
    ('Nobody came to the party.', 3),
    ('I lost my job today.', 3),
    ('It is over, she left me.', 3),
    ('Café naïve — über “quotes” …', 2),
    ('  Multiple   spaces\there\n and tabs  ', 2),
]
TEST = ['I am so happy, thank you!', 'Get out now!', 'The meeting is at nine.', 'She left, I miss her.',
        'zzz unseen words only', 'Über café']

VECTORIZERS = [
    ('char-2-5', dict(analyzer='char', ngram_range=(2, 5))),
    ('char_wb-2-4-sublinear', dict(analyzer='char_wb', ngram_range=(2, 4), sublinear_tf=True)),
    ('word-1-2-mindf2', dict(analyzer='word', ngram_range=(1, 2), min_df=2)),
    ('char-1-3-noidf-l1', dict(analyzer='char', ngram_range=(1, 3), use_idf=False, norm='l1')),
    ('word-1-1-maxdf', dict(analyzer='word', ngram_range=(1, 1), max_df=0.3, smooth_idf=False)),
]
MODEL_FEATURES = dict(analyzer='char_wb', ngram_range=(2, 3))
MODELS = [
    ('C1', dict(C=1.0)),
    ('C20', dict(C=20.0)),
    ('C5-balanced', dict(C=5.0, class_weight='balanced')),
]

OPTION_NAMES = dict(analyzer='analyzer', ngram_range='ngramRange', min_df='minDf', max_df='maxDf',
                    sublinear_tf='sublinearTf', use_idf='useIdf', smooth_idf='smoothIdf', norm='norm')


def g9(values):
    # 9 significant digits: the tests compare to 1e-6, and the fixture stays small.
    return [float('%.9g' % v) for v in values]


def polish(x, y, C, sample_weight, coef, intercept, steps=8):
    """Newton steps on scikit-learn's objective C·Σ wᵢ·CEᵢ + ½‖W‖² from its own solution.

    scikit-learn's L-BFGS stops on a relative function tolerance of 64 machine epsilons, which
    leaves ~1e-5 in the coefficients of an ill-conditioned problem; the exact optimum is what a
    correct solver must reach, so the fixture holds that (sklearn's predictions are kept too).
    """
    X = np.hstack([x.toarray(), np.ones((x.shape[0], 1))])
    n, D1 = X.shape
    K = coef.shape[0]
    theta = np.hstack([coef, intercept[:, None]])  # [K, D+1]
    Y = np.eye(K)[y]
    reg = np.ones(D1)
    reg[-1] = 0
    for _ in range(steps):
        S = X @ theta.T
        S -= S.max(1, keepdims=True)
        P = np.exp(S)
        P /= P.sum(1, keepdims=True)
        G = C * ((P - Y) * sample_weight[:, None]).T @ X + theta * reg
        H = np.zeros((K * D1, K * D1))
        for i in range(n):
            A = np.diag(P[i]) - np.outer(P[i], P[i])
            H += C * sample_weight[i] * np.kron(A, np.outer(X[i], X[i]))
        H += np.diag(np.tile(reg, K))
        theta -= np.linalg.solve(H + 1e-12 * np.eye(K * D1), G.reshape(-1)).reshape(K, D1)
    return theta[:, :-1], theta[:, -1], np.abs(G).max()


def csr_json(m):
    m = m.tocsr()
    m.sort_indices()
    return {'shape': list(m.shape), 'indptr': m.indptr.tolist(), 'indices': m.indices.tolist(),
            'data': g9(m.data)}


def main():
    texts = [t for t, _ in TRAIN]
    y = np.array([c for _, c in TRAIN])
    vectorizers = []
    for name, opts in VECTORIZERS:
        v = TfidfVectorizer(**opts)
        x = v.fit_transform(texts)
        vectorizers.append({
            'name': name,
            'options': {OPTION_NAMES[k]: (list(val) if isinstance(val, tuple) else val) for k, val in opts.items()},
            'terms': v.get_feature_names_out().tolist(),
            'idf': g9(v.idf_) if v.use_idf else None,
            'train': csr_json(x),
            'test': csr_json(v.transform(TEST)),
        })
    v = TfidfVectorizer(**MODEL_FEATURES)
    x = v.fit_transform(texts)
    xt = v.transform(TEST)
    models = []
    for name, opts in MODELS:
        m = LogisticRegression(tol=1e-12, max_iter=100000, **opts).fit(x, y)
        weights = np.ones(len(y))
        if opts.get('class_weight') == 'balanced':
            counts = np.bincount(y)
            weights = len(y) / (len(counts) * counts[y])
        coef, intercept, grad = polish(x, y, opts['C'], weights, m.coef_.copy(), m.intercept_.copy())
        assert grad < 1e-9, grad
        assert np.abs(coef - m.coef_).max() < 1e-3
        m.coef_, m.intercept_ = coef, intercept
        models.append({'name': name, 'options': {('classWeight' if k == 'class_weight' else k): val
                                                 for k, val in opts.items()},
                       'coef': g9(m.coef_.reshape(-1)), 'intercept': g9(m.intercept_),
                       'probabilities': g9(m.predict_proba(xt).reshape(-1)),
                       'predicted': m.predict(xt).tolist()})
    out = {'generator': 'reference/classical_golden.py', 'train': TRAIN, 'test': TEST,
           'vectorizers': vectorizers,
           'modelFeatures': {OPTION_NAMES[k]: (list(val) if isinstance(val, tuple) else val)
                             for k, val in MODEL_FEATURES.items()},
           'models': models}
    path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'classical', 'golden.json')
    with open(path, 'w') as f:
        json.dump(out, f)
    print('wrote', os.path.normpath(path))


if __name__ == '__main__':
    main()
