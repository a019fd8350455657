import { ModelProto, OnnxAttributeType, OnnxDataType } from './schema.js';

/** ONNX opset emovox writes (default domain `ai.onnx`). */
export const ONNX_OPSET = 17;
/** ONNX IR version matching opset 17 (ONNX 1.12+). */
export const ONNX_IR_VERSION = 8;

/** Element type of a graph input or output. */
export type OnnxElemType = 'float32' | 'int32' | 'int64';

/** A dimension: a fixed size or a symbolic name (dynamic axis such as "batch"). */
export type OnnxDim = number | string;

/** Attribute values accepted by {@link OnnxGraphBuilder.node}. */
export type OnnxAttr = number | number[] | string | { floats: number[] } | { float: number };

const ELEM_CODES: Record<OnnxElemType, number> = {
  float32: OnnxDataType.FLOAT,
  int32: OnnxDataType.INT32,
  int64: OnnxDataType.INT64,
};

interface ValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: Array<{ dimValue?: number; dimParam?: string }> } } };
}

function valueInfo(name: string, elem: OnnxElemType, dims: OnnxDim[]): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM_CODES[elem],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function encodeAttr(name: string, value: OnnxAttr): Record<string, unknown> {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { float } for non-integers`);
    return { name, type: OnnxAttributeType.INT, i: value };
  }
  if (typeof value === 'string')
    return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: OnnxAttributeType.INTS, ints: value };
  if ('floats' in value) return { name, type: OnnxAttributeType.FLOATS, floats: value.floats };
  return { name, type: OnnxAttributeType.FLOAT, f: value.float };
}

function rawBytes(data: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  // Copy so the little-endian bytes do not alias a larger buffer (protobufjs writes the view).
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

/**
 * Builds an ONNX graph node by node and serialises it as a ModelProto (opset {@link ONNX_OPSET}).
 * Value names are generated unique (`prefix_N`) unless given; initializers hold weights as raw
 * little-endian bytes.
 */
export class OnnxGraphBuilder {
  private readonly nodes: Record<string, unknown>[] = [];
  private readonly initializers: Record<string, unknown>[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** Returns a fresh value name starting with `prefix`. */
  fresh(prefix: string): string {
    const base = prefix.replace(/[^A-Za-z0-9_.]/g, '_');
    let name = `${base}_${this.counter++}`;
    while (this.used.has(name)) name = `${base}_${this.counter++}`;
    this.used.add(name);
    return name;
  }

  /** Declares a graph input of element type `elem` and shape `dims` (strings are dynamic axes). */
  input(name: string, elem: OnnxElemType, dims: OnnxDim[]): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  /** Declares `value` as a graph output named `name` (adds an Identity when names differ). */
  output(value: string, name: string, elem: OnnxElemType, dims: OnnxDim[]): void {
    if (value !== name) this.node('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, elem, dims));
  }

  /** Adds a float32 initializer (a constant weight) of the given shape; returns its name. */
  floatTensor(name: string, dims: number[], data: Float32Array | number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size)
      throw new Error(`initializer ${name}: ${values.length} values for shape [${dims}]`);
    const unique = this.used.has(name) ? this.fresh(name) : name;
    this.used.add(unique);
    this.initializers.push({ name: unique, dims, dataType: OnnxDataType.FLOAT, rawData: rawBytes(values) });
    return unique;
  }

  /** Adds an int64 initializer (shapes, axes, indices); returns its name. */
  int64Tensor(prefix: string, dims: number[], values: number[]): string {
    const name = this.fresh(prefix);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims, dataType: OnnxDataType.INT64, rawData: rawBytes(data) });
    return name;
  }

  /** Adds a 1-D int64 constant (convenience for Reshape shapes, Unsqueeze axes, Slice bounds). */
  ints(prefix: string, values: number[]): string {
    return this.int64Tensor(prefix, [values.length], values);
  }

  /** Adds a scalar float32 constant. */
  scalar(prefix: string, value: number): string {
    return this.floatTensor(this.fresh(prefix), [], [value]);
  }

  /**
   * Adds a single-output node `op(inputs)` with attributes; returns its output name (`output`
   * when given, else a fresh one). Use {@link nodeMulti} for several outputs.
   */
  node(op: string, inputs: string[], attrs: Record<string, OnnxAttr> = {}, output?: string): string {
    return this.nodeMulti(op, inputs, attrs, [output ?? this.fresh(op.toLowerCase())])[0];
  }

  /** Adds a node with several named outputs ('' skips an optional output); returns them. */
  nodeMulti(op: string, inputs: string[], attrs: Record<string, OnnxAttr>, outputs: string[]): string[] {
    for (const o of outputs) if (o) this.used.add(o);
    this.nodes.push({
      opType: op,
      name: this.fresh(`n_${op}`),
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => encodeAttr(k, v)),
    });
    return outputs;
  }

  /** Serialises the graph to ONNX model bytes with optional string metadata. */
  toBytes(graphName: string, metadata: Record<string, string> = {}, producerVersion = '0'): Uint8Array {
    const model = {
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'emovox',
      producerVersion,
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    };
    const err = ModelProto.verify(model);
    if (err) throw new Error(`invalid ONNX model: ${err}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}
