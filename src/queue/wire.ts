/**
 * Job data and results on the wire (Redis, a worker thread's messages): JSON that keeps Buffers and
 * Float32Arrays, as `{ "$buf": base64 }` and `{ "$f32": base64 }`; and a job's failure as one line
 * that says what kind it was, so the bot can tell a person's mistake from a timeout or a crash.
 */
const BUF = '$buf';
const F32 = '$f32';

/** A JSON-safe copy: Buffers and Float32Arrays become tagged base64 objects. */
export function toWire(value: unknown): unknown {
  if (value instanceof Float32Array) return { [F32]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Buffer.isBuffer(value)) return { [BUF]: value.toString('base64') };
  if (value instanceof Uint8Array) return { [BUF]: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = toWire(v);
    return out;
  }
  return value;
}

export function fromWire<T>(value: unknown): T {
  return decode(value) as T;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    const v = value as Record<string, unknown>;
    if (keys.length === 1 && typeof v[BUF] === 'string') return Buffer.from(v[BUF], 'base64');
    if (keys.length === 1 && typeof v[F32] === 'string') {
      const bytes = Buffer.from(v[F32], 'base64');
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      return new Float32Array(copy.buffer);
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = decode(x);
    return out;
  }
  return value;
}

/** How a remote job ended without a result. 'user': the request's own problem (UserInputError). */
export type FailureKind = 'user' | 'timeout' | 'cancelled' | 'error';
export interface Failure {
  kind: FailureKind;
  message: string;
  /** For a timeout: the limit in seconds. */
  seconds?: number;
}

const PREFIX = 'unclip-failure:';

export function failureText(f: Failure): string {
  return PREFIX + JSON.stringify(f);
}

/** The failure a worker wrote as BullMQ's failedReason (any other text: an 'error' with that message). */
export function parseFailure(reason: string | undefined): Failure {
  if (reason?.startsWith(PREFIX)) {
    try {
      return JSON.parse(reason.slice(PREFIX.length)) as Failure;
    } catch {
      // fall through
    }
  }
  return { kind: 'error', message: reason ?? 'the job failed on its worker' };
}
