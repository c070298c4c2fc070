// Reads the weights of model/polarity.onnx in the browser, so TF.js runs the very bytes that
// onnxruntime-web and polarity run: a minimal protobuf walk to the graph's initializers (ONNX
// ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto dims = 1, data_type = 2,
// name = 8, raw_data = 9); polarity writes every initializer as raw little-endian bytes.
// An int4 table (src/quantize.rs) comes back as the int8 one did: `embedding` (each value's
// level, rows x dim) and `scales` (each row's scale), whose product is the table.

/** Reads the varint at `state.at` of `bytes`, moving `state.at` past it. */
function varint(bytes, state) {
  let value = 0;
  for (let shift = 1; ; shift *= 128) {
    const b = bytes[state.at++];
    value += (b & 0x7f) * shift;
    if (b < 0x80) return value;
  }
}

/** Yields [field, wireType, value] of one protobuf message; value is a subarray for wire type 2. */
function* fields(bytes) {
  const state = { at: 0 };
  while (state.at < bytes.length) {
    const key = varint(bytes, state);
    const [field, wire] = [Math.floor(key / 8), key & 7];
    if (wire === 0) yield [field, wire, varint(bytes, state)];
    else if (wire === 1) state.at += 8;
    else if (wire === 5) state.at += 4;
    else if (wire === 2) {
      const length = varint(bytes, state);
      yield [field, wire, bytes.subarray(state.at, state.at + length)];
      state.at += length;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

/** The numbers of a packed repeated varint field. */
function packed(bytes) {
  const state = { at: 0 };
  const out = [];
  while (state.at < bytes.length) out.push(varint(bytes, state));
  return out;
}

/** IEEE half floats to float32. */
function halfToFloat(halves) {
  const out = new Float32Array(halves.length);
  halves.forEach((h, i) => {
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    const magnitude = exponent === 0 ? fraction * 2 ** -24
      : exponent === 31 ? (fraction ? NaN : Infinity)
      : (1 + fraction / 1024) * 2 ** (exponent - 15);
    out[i] = h & 0x8000 ? -magnitude : magnitude;
  });
  return out;
}

const INT8 = 3;
const UINT8 = 2;
const FLOAT16 = 10;
const FLOAT = 1;

/** `{ name: { dims, values } }` for the initializers; int8 and f16 come back as Float32Array. */
export function readInitializers(onnxBytes) {
  const tensors = {};
  for (const [field, , graph] of fields(onnxBytes)) {
    if (field !== 7) continue;
    for (const [gField, , tensor] of fields(graph)) {
      if (gField !== 5) continue;
      const t = { dims: [] };
      for (const [f, wire, value] of fields(tensor)) {
        if (f === 1 && wire === 0) t.dims.push(value);
        else if (f === 1) t.dims.push(...packed(value));
        else if (f === 2) t.type = value;
        else if (f === 8) t.name = new TextDecoder().decode(value);
        else if (f === 9) t.raw = value;
      }
      const raw = t.raw ? new Uint8Array(t.raw) : new Uint8Array(); // aligned copy
      if (t.type === INT8) t.values = Float32Array.from(new Int8Array(raw.buffer));
      else if (t.type === UINT8) t.values = raw;
      else if (t.type === FLOAT16) t.values = halfToFloat(new Uint16Array(raw.buffer));
      else if (t.type === FLOAT) t.values = new Float32Array(raw.buffer);
      else continue; // the integer constants of the graph are not weights
      tensors[t.name] = { dims: t.dims, values: t.values };
    }
  }
  if (tensors.embedding_int4) Object.assign(tensors, unpackInt4(tensors));
  return tensors;
}

/** `embedding` (levels, rows x dim) and `scales` of an int4 table: byte j of a row holds
 * dimension j in its high nibble and j + ceil(dim / 2) in its low one; dim is w1's rows. */
function unpackInt4({ embedding_int4: packed, row_scale, levels, scale_table, w1 }) {
  const [rows, width] = packed.dims;
  const dim = w1.dims[0];
  const values = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) {
      const b = packed.values[r * width + j];
      values[r * dim + j] = levels.values[b >> 4];
      if (j + width < dim) values[r * dim + j + width] = levels.values[b & 15];
    }
  }
  const scales = Float32Array.from(row_scale.values, (code) => scale_table.values[code]);
  return { embedding: { dims: [rows, dim], values }, scales: { dims: [rows], values: scales } };
}
