/** Float32 arrays and byte buffers in and out of SQLite (BLOBs) and JSON (base64, for the job journal and the outbox). */

export function f32ToBlob(a: Float32Array): Buffer {
  return Buffer.from(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

export function blobToF32(b: Buffer): Float32Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

/** Several arrays of the same length, one after another. */
export function packF32(arrays: readonly Float32Array[]): Buffer {
  return Buffer.concat(arrays.map(f32ToBlob));
}

export function unpackF32(b: Buffer, count: number): Float32Array[] {
  const all = blobToF32(b);
  const dim = count > 0 ? all.length / count : 0;
  return Array.from({ length: count }, (_, i) => all.slice(i * dim, (i + 1) * dim));
}

const F32_TAG = '$f32';
const BYTES_TAG = '$bytes';

/** JSON that keeps Float32Arrays (as `{ "$f32": base64 }`) and Buffers (as `{ "$bytes": base64 }`). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    // A Buffer has become `{ type: 'Buffer', data }` (its toJSON) by now: read the holder's own value.
    const raw = this[key];
    if (Buffer.isBuffer(raw)) return { [BYTES_TAG]: raw.toString('base64') };
    return v instanceof Float32Array ? { [F32_TAG]: f32ToBlob(v).toString('base64') } : v;
  });
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && Object.keys(v).length === 1) {
      if (F32_TAG in v) return blobToF32(Buffer.from((v as Record<string, string>)[F32_TAG]!, 'base64'));
      if (BYTES_TAG in v) return Buffer.from((v as Record<string, string>)[BYTES_TAG]!, 'base64');
    }
    return v;
  }) as T;
}
