/**
 * A minimal ONNX protobuf reader and writer, enough for the bench: read a model's nodes, initializer
 * shapes and value_info shapes (to count FLOPs), and write a one-node MatMul model (to measure the
 * runtime's matmul throughput on this machine).
 */

// ---- reading ----

interface Field {
  no: number;
  wire: number;
  value: number | Uint8Array;
  /** Byte range of the whole field (key included) in the buffer. */
  start: number;
  end: number;
}

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
  };
  while (pos < buf.length) {
    const start = pos;
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const value = varint();
      yield { no, wire, value, start, end: pos };
    } else if (wire === 1) {
      pos += 8;
      yield { no, wire, value: 0, start, end: pos };
    } else if (wire === 2) {
      const len = varint();
      const value = buf.subarray(pos, pos + len);
      pos += len;
      yield { no, wire, value, start, end: pos };
    } else if (wire === 5) {
      pos += 4;
      yield { no, wire, value: 0, start, end: pos };
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Reads packed or repeated int64 values (small enough for doubles). */
function ints(f: Field, into: number[]): void {
  if (typeof f.value === 'number') into.push(f.value);
  else for (const g of fields(withKeys(f.value))) into.push(g.value as number);
}
/** Packed varints have no keys: give each a fake key (field 1, varint) so `fields` can read them. */
function withKeys(packed: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < packed.length) {
    out.push(8);
    do out.push(packed[i]!);
    while (packed[i++]! >= 0x80);
  }
  return Uint8Array.from(out);
}

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, number | number[]>;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  /** Shapes known statically: initializers, graph inputs/outputs and value_info (symbolic dims = -1). */
  shapes: Map<string, number[]>;
  initializers: Set<string>;
}

function readShape(valueInfo: Uint8Array): [string, number[] | undefined] {
  let name = '';
  let shape: number[] | undefined;
  for (const f of fields(valueInfo)) {
    if (f.no === 1) name = text(f.value as Uint8Array);
    if (f.no === 2) {
      for (const t of fields(f.value as Uint8Array)) {
        if (t.no !== 1) continue; // tensor_type
        for (const tt of fields(t.value as Uint8Array)) {
          if (tt.no !== 2) continue; // shape
          shape = [];
          for (const d of fields(tt.value as Uint8Array)) {
            let v = -1;
            for (const dd of fields(d.value as Uint8Array)) if (dd.no === 1) v = dd.value as number;
            shape.push(v);
          }
        }
      }
    }
  }
  return [name, shape];
}

export function readOnnx(buf: Uint8Array): OnnxGraph {
  const graph: OnnxGraph = { nodes: [], shapes: new Map(), initializers: new Set() };
  for (const f of fields(buf)) {
    if (f.no !== 7) continue;
    for (const g of fields(f.value as Uint8Array)) {
      const v = g.value as Uint8Array;
      if (g.no === 1) {
        const node: OnnxNode = { opType: '', inputs: [], outputs: [], attrs: {} };
        for (const n of fields(v)) {
          if (n.no === 1) node.inputs.push(text(n.value as Uint8Array));
          else if (n.no === 2) node.outputs.push(text(n.value as Uint8Array));
          else if (n.no === 4) node.opType = text(n.value as Uint8Array);
          else if (n.no === 5) {
            let name = '';
            let i: number | undefined;
            const list: number[] = [];
            for (const a of fields(n.value as Uint8Array)) {
              if (a.no === 1) name = text(a.value as Uint8Array);
              else if (a.no === 3) i = a.value as number;
              else if (a.no === 8) ints(a, list);
            }
            node.attrs[name] = i ?? list;
          }
        }
        graph.nodes.push(node);
      } else if (g.no === 5) {
        const dims: number[] = [];
        let name = '';
        for (const t of fields(v)) {
          if (t.no === 1) ints(t, dims);
          else if (t.no === 8) name = text(t.value as Uint8Array);
        }
        graph.shapes.set(name, dims);
        graph.initializers.add(name);
      } else if (g.no === 11 || g.no === 12 || g.no === 13) {
        const [name, shape] = readShape(v);
        if (shape) graph.shapes.set(name, shape);
      }
    }
  }
  return graph;
}

// ---- writing ----

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const key = (no: number, wire: number) => varint(no * 8 + wire);
const vfield = (no: number, n: number) => [...key(no, 0), ...varint(n)];
const bfield = (no: number, bytes: number[]) => [...key(no, 2), ...varint(bytes.length), ...bytes];
const sfield = (no: number, s: string) => bfield(no, [...new TextEncoder().encode(s)]);

function valueInfo(name: string, dims: number[]): number[] {
  const shape = dims.flatMap((d) => bfield(1, vfield(1, d)));
  const tensorType = [...vfield(1, 1 /* FLOAT */), ...bfield(2, shape)];
  return [...sfield(1, name), ...bfield(2, bfield(1, tensorType))];
}

/** A model computing C = A·B for A [m, k], B [k, n] (float32, opset 17). */
export function matmulModel(m: number, k: number, n: number): Uint8Array {
  const node = [...sfield(1, 'A'), ...sfield(1, 'B'), ...sfield(2, 'C'), ...sfield(4, 'MatMul')];
  const graph = [
    ...bfield(1, node),
    ...sfield(2, 'matmul'),
    ...bfield(11, valueInfo('A', [m, k])),
    ...bfield(11, valueInfo('B', [k, n])),
    ...bfield(12, valueInfo('C', [m, n])),
  ];
  const opset = [...sfield(1, ''), ...vfield(2, 17)];
  return Uint8Array.from([...vfield(1, 8), ...bfield(7, graph), ...bfield(8, opset)]);
}

/**
 * The same model with more graph outputs (intermediate tensors), so that one run reveals their
 * shapes. Protobuf concatenates repeated fields, so the extra outputs are appended to the graph bytes.
 */
export function withExtraOutputs(buf: Uint8Array, names: readonly string[]): Uint8Array {
  const parts: number[][] = [];
  for (const f of fields(buf)) {
    if (f.no === 7) {
      const extra = names.flatMap((n) => bfield(12, [...sfield(1, n), ...bfield(2, bfield(1, vfield(1, 1)))]));
      parts.push(bfield(7, [...(f.value as Uint8Array), ...extra]));
    } else parts.push([...buf.subarray(f.start, f.end)]);
  }
  return Uint8Array.from(parts.flat());
}
