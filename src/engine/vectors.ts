/** Vector helpers for embeddings (float32 storage, float64 accumulation). */

export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`dot: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Numerically stable softmax. */
export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const exps = Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i]! - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/**
 * Spherical interpolation between two unit vectors. `w` is the weight of `a`: w = 1 gives `a`
 * exactly, w = 0 gives `b` exactly. The result is L2-normalized.
 */
export function slerp(a: Float32Array, b: Float32Array, w: number): Float32Array {
  if (w >= 1) return Float32Array.from(a);
  if (w <= 0) return Float32Array.from(b);
  const cos = Math.min(1, Math.max(-1, dot(a, b)));
  const theta = Math.acos(cos);
  const out = new Float32Array(a.length);
  if (theta < 1e-6) {
    for (let i = 0; i < a.length; i++) out[i] = w * a[i]! + (1 - w) * b[i]!;
  } else {
    const s = Math.sin(theta);
    const ka = Math.sin(w * theta) / s;
    const kb = Math.sin((1 - w) * theta) / s;
    for (let i = 0; i < a.length; i++) out[i] = ka * a[i]! + kb * b[i]!;
  }
  return l2normalize(out);
}

/** Concatenates equal-length rows into one [rows.length, D] buffer. */
export function stackRows(rows: readonly Float32Array[]): Float32Array {
  const d = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    if (r.length !== d) throw new RangeError(`stackRows: row ${i} has length ${r.length}, expected ${d}`);
    out.set(r, i * d);
  });
  return out;
}

/** Splits a [B, D] buffer into B copies. */
export function splitRows(data: Float32Array, rows: number): Float32Array[] {
  const d = data.length / rows;
  return Array.from({ length: rows }, (_, i) => data.slice(i * d, (i + 1) * d));
}

/** Cosine similarity (for unit vectors, their dot product). */
export function cosine(a: Float32Array, b: Float32Array): number {
  const d = dot(a, b);
  const n = Math.sqrt(dot(a, a) * dot(b, b));
  return n === 0 ? 0 : d / n;
}
