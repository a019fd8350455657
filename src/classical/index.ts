// Classical text baseline: sparse TF-IDF features and multinomial logistic regression (Newton-CG or L-BFGS),
// equal to scikit-learn's TfidfVectorizer + LogisticRegression. Pure TypeScript, browser-safe.
export { TfidfVectorizer, type TfidfOptions, type TfidfAnalyzer, type TfidfJson } from './tfidf.js';
export {
  LogisticRegression,
  type LogisticOptions,
  type LogisticJson,
  type LogisticFitReport,
} from './logistic.js';
export { lbfgs, type Objective, type LbfgsOptions, type LbfgsResult } from './lbfgs.js';
export { csrFromRows, csrRows, csrToDense, type CsrMatrix } from './sparse.js';
