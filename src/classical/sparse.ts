// Compressed sparse row matrices: the document-term matrices of the classical text baseline.

/**
 * A sparse matrix in CSR form (as scipy.sparse.csr_matrix): row `r`'s non-zeros are
 * `data[indptr[r] .. indptr[r+1])` at columns `indices[...]`, columns ascending within a row.
 */
export interface CsrMatrix {
  rows: number;
  cols: number;
  /** Row starts, length rows + 1. */
  indptr: Int32Array;
  /** Column of each stored value. */
  indices: Int32Array;
  /** Stored values (float64). */
  data: Float64Array;
}

/**
 * Builds a CSR matrix from per-row maps column → value (columns are sorted per row).
 * @param cols - number of columns.
 */
export function csrFromRows(rows: ReadonlyArray<Map<number, number>>, cols: number): CsrMatrix {
  const nnz = rows.reduce((n, r) => n + r.size, 0);
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  let k = 0;
  rows.forEach((row, r) => {
    const keys = [...row.keys()].sort((a, b) => a - b);
    for (const c of keys) {
      indices[k] = c;
      data[k++] = row.get(c)!;
    }
    indptr[r + 1] = k;
  });
  return { rows: rows.length, cols, indptr, indices, data };
}

/** Rows `idx` of `m`, in that order. */
export function csrRows(m: CsrMatrix, idx: readonly number[]): CsrMatrix {
  let nnz = 0;
  for (const r of idx) nnz += m.indptr[r + 1] - m.indptr[r];
  const indptr = new Int32Array(idx.length + 1);
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  let k = 0;
  idx.forEach((r, i) => {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) {
      indices[k] = m.indices[p];
      data[k++] = m.data[p];
    }
    indptr[i + 1] = k;
  });
  return { rows: idx.length, cols: m.cols, indptr, indices, data };
}

/** Dense row-major copy [rows, cols] (small matrices and tests). */
export function csrToDense(m: CsrMatrix): Float64Array {
  const out = new Float64Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++)
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) out[r * m.cols + m.indices[p]] = m.data[p];
  return out;
}
