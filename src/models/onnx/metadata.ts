import { ModelProto } from './schema.js';

/**
 * Reads the `metadata_props` of ONNX model bytes (emovox stores `emovox.config` and `labels`).
 * @param bytes - serialised ModelProto.
 * @returns key → value; empty when the model has none.
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const model = ModelProto.toObject(ModelProto.decode(bytes), { defaults: false }) as {
    metadataProps?: Array<{ key?: string; value?: string }>;
  };
  const out: Record<string, string> = {};
  for (const entry of model.metadataProps ?? []) if (entry.key) out[entry.key] = entry.value ?? '';
  return out;
}
