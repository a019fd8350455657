// Layout detection of user-supplied ONNX encoders from input/output metadata (no model needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEmbedding, detectHiddenStates, detectInputs } from '../../src/encoders/layout.js';

test('inputs: waveform with attention_mask / padding_mask / lengths, fbank with its bins', () => {
  assert.deepEqual(
    detectInputs(
      [
        { name: 'attention_mask', type: 'int64', shape: ['batch', 'samples'] },
        { name: 'input_values', type: 'float32', shape: ['batch', 'samples'] },
      ],
      'm.onnx',
    ),
    {
      audio: 'input_values',
      audioKind: 'waveform',
      mask: { name: 'attention_mask', kind: 'attention', type: 'int64' },
    },
  );
  assert.equal(
    detectInputs(
      [
        { name: 'source', type: 'float32', shape: [1, 'n'] },
        { name: 'padding_mask', type: 'bool', shape: [1, 'n'] },
      ],
      'm',
    ).mask?.kind,
    'padding',
  );
  assert.deepEqual(detectInputs([{ name: 'feats', type: 'float32', shape: ['B', 'T', 80] }], 'm'), {
    audio: 'feats',
    audioKind: 'fbank',
    bins: 80,
  });
  assert.throws(
    () => detectInputs([{ name: 'ids', type: 'int64', shape: [1, 5] }], 'm.onnx'),
    /m\.onnx.*no float32 audio input/,
  );
  assert.throws(
    () =>
      detectInputs(
        [
          { name: 'input_values', type: 'float32', shape: [1, 'n'] },
          { name: 'speaker_id', type: 'int64', shape: [1] },
        ],
        'm',
      ),
    /cannot fill input speaker_id/,
  );
});

test('outputs: stacked, per-layer (numeric order), last; embeddings', () => {
  assert.deepEqual(
    detectHiddenStates([{ name: 'hidden_states', type: 'float32', shape: [13, 'b', 't', 768] }], 'm'),
    {
      kind: 'stacked',
      name: 'hidden_states',
    },
  );
  assert.deepEqual(
    detectHiddenStates(
      ['hidden_states.10', 'hidden_states.2', 'last_hidden_state', 'hidden_states.0'].map((name) => ({
        name,
        type: 'float32',
        shape: [1, 't', 8],
      })),
      'm',
    ),
    { kind: 'per-layer', names: ['hidden_states.0', 'hidden_states.2', 'hidden_states.10'] },
  );
  assert.deepEqual(
    detectHiddenStates(
      [
        { name: 'lengths', type: 'int64', shape: [1] },
        { name: 'out', type: 'float32', shape: [1, 't', 8] },
      ],
      'm',
    ),
    { kind: 'last', name: 'out' },
  );
  assert.throws(
    () => detectHiddenStates([{ name: 'logits', type: 'float32', shape: [1, 4] }], 'm'),
    /no hidden-state output/,
  );
  assert.equal(detectEmbedding([{ name: 'embs', type: 'float32', shape: [1, 192] }], 'm'), 'embs');
  assert.equal(detectEmbedding([{ name: 'y', type: 'float32', shape: [1, 256] }], 'm'), 'y');
});
