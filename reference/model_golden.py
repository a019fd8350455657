"""Writes test/fixtures/models/golden.json: PyTorch outputs of small emovox models.

For each case: the config, every weight (float32, base64, PyTorch state_dict names), random
inputs and PyTorch's eval-mode logits. test/models/onnx-golden.test.ts exports the same weights
to ONNX and checks onnxruntime reproduces the logits — ONNX export is tested without libtorch.
Run: /usr/bin/python3 reference/model_golden.py
"""
import base64
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import emovox_models as zoo  # noqa: E402

CASES = [
    ('mlp', dict(kind='mlp', inputDim=12, classes=3, hidden=[16, 8])),
    ('cnn1d', dict(kind='cnn1d', inputDim=24, classes=4, channels=[6, 5], kernel=5)),
    ('cnn2d', dict(kind='cnn2d', inputShape=[1, 16, 12], classes=3, channels=[4, 6], dense=8)),
    ('hybrid', dict(kind='hybrid', vectorDim=20, imageShape=[2, 12, 12], classes=3, vectorChannels=[4, 4],
                    imageChannels=[3, 5], dense=8)),
    ('bilstm-additive', dict(kind='bilstmAttention', inputDim=5, classes=3, hidden=4, attentionDim=6, dense=8)),
    ('bilstm-temporal-2layers', dict(kind='bilstmAttention', inputDim=5, classes=3, hidden=4, layers=2,
                                     attention='temporal', dense=8)),
    ('bilstm-multihead-extra', dict(kind='bilstmAttention', inputDim=5, classes=3, hidden=4, attention='multihead',
                                    heads=2, extraDim=3, dense=8)),
    ('fusion-embedding', dict(kind='fusion', audioDim=10, classes=3, audioHidden=[8], textDim=7, textHidden=6,
                              dense=8)),
    ('fusion-tokens', dict(kind='fusion', audioDim=10, classes=3, audioHidden=[8], textInput='tokens',
                           vocabSize=20, embedDim=5, textHidden=6, dense=8)),
    # New cases go last: every case draws from the same generators, so earlier cases stay unchanged.
    ('linear', dict(kind='linear', inputDim=12, classes=4)),
    ('resnet18-narrow', dict(kind='resnet', inputShape=[1, 32, 28], classes=3, width=2)),
    ('resnet50-narrow', dict(kind='resnet', depth=50, inputShape=[2, 24, 20], classes=3, width=2)),
    ('vgg16-narrow', dict(kind='vgg16', inputShape=[1, 32, 40], classes=3, channels=[4, 4, 6, 6, 8], hidden=16,
                          pool=2)),
    ('vgg16-bn-narrow', dict(kind='vgg16', inputShape=[1, 64, 64], classes=3, channels=[4, 4, 6, 6, 8],
                             batchNorm=True, hidden=16, pool=3)),
    ('efficientnetB0-narrow', dict(kind='efficientnetB0', inputShape=[1, 32, 32], classes=3, widthMult=0.1,
                                   depthMult=0.5, bnEps=1e-3)),
    ('text-cnn', dict(kind='textCnn', vocabSize=20, embedDim=6, classes=3, widths=[2, 3, 5], filters=4, dense=8)),
    ('text-bilstm-2layers', dict(kind='textBilstm', vocabSize=20, embedDim=5, classes=3, hidden=4, layers=2,
                                 attentionDim=6, dense=8)),
    ('text-transformer-pre-sinusoidal-mean', dict(kind='textTransformer', vocabSize=20, embedDim=8, heads=2,
                                                  layers=2, ff=16, classes=3, maxLength=12, dense=8)),
    ('text-transformer-post-learned-cls-relu', dict(kind='textTransformer', vocabSize=20, embedDim=8, heads=2,
                                                    layers=2, ff=16, classes=3, maxLength=12, dense=8, norm='post',
                                                    positions='learned', pooling='cls', activation='relu')),
    ('fusion-early-presence', dict(kind='fusion', audioDim=10, classes=3, audioHidden=[8], textDim=7, textHidden=6,
                                   dense=8, presence=True)),
    ('fusion-late-logits-presence', dict(kind='fusion', audioDim=10, classes=3, audioHidden=[8], textDim=7,
                                         textHidden=6, fusion='late', presence=True)),
    ('fusion-late-probabilities-fixed', dict(kind='fusion', audioDim=10, classes=3, audioHidden=[8],
                                             textInput='tokens', vocabSize=20, embedDim=5, textHidden=6,
                                             fusion='late', lateAverage='probabilities', lateWeights='fixed')),
    ('fusion-attention-presence', dict(kind='fusion', audioDim=10, classes=3, audioHidden=[8], textDim=7,
                                       textHidden=6, fusion='attention', fusedDim=5, dense=8, presence=True)),
]


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype='<f4').tobytes()).decode()


def tensor_json(t, dtype):
    a = t.detach().cpu().numpy()
    if dtype == 'float32':
        return {'shape': list(a.shape), 'dtype': dtype, 'base64': b64(a)}
    return {'shape': list(a.shape), 'dtype': dtype, 'values': [int(v) for v in a.reshape(-1)]}


def inputs_for(c, batch, g):
    c = zoo.resolve(c)
    k = c['kind']
    r = lambda *s: torch.randn(*s, generator=g)  # noqa: E731
    if k in ('mlp', 'cnn1d', 'linear'):
        return {'features': (r(batch, c['inputDim']), 'float32')}
    if k in ('cnn2d', 'resnet', 'vgg16', 'efficientnetB0'):
        return {'spectrogram': (r(batch, *c['inputShape']), 'float32')}
    if k == 'hybrid':
        return {'features': (r(batch, c['vectorDim']), 'float32'), 'spectrogram': (r(batch, *c['imageShape']), 'float32')}
    if k == 'bilstmAttention':
        T = 7
        lengths = torch.tensor([7, 4, 1, 6][:batch], dtype=torch.int32)
        x = r(batch, T, c['inputDim'])
        for b in range(batch):
            x[b, lengths[b]:] = 0
        d = {'frames': (x, 'float32'), 'lengths': (lengths, 'int32')}
        if c['extraDim'] > 0:
            d['extra'] = (r(batch, c['extraDim']), 'float32')
        return d
    if k in ('textCnn', 'textBilstm', 'textTransformer'):
        # Right-padded rows of 1 to 6 real tokens (id 0 = padding).
        return {'tokens': (torch.tensor([[3, 7, 1, 0, 0, 0], [5, 0, 0, 0, 0, 0], [2, 19, 4, 11, 8, 6],
                                         [9, 9, 0, 0, 0, 0]][:batch]), 'int64')}
    text = (torch.tensor([[3, 7, 1, 0, 0], [5, 0, 0, 0, 0], [2, 19, 4, 11, 8], [9, 9, 0, 0, 0]][:batch]), 'int64') \
        if c['textInput'] == 'tokens' else (r(batch, c['textDim']), 'float32')
    d = {'audio': (r(batch, c['audioDim']), 'float32'), ('tokens' if c['textInput'] == 'tokens' else 'text'): text}
    if c['presence']:
        # both, audio missing, text missing, both missing
        d['presence'] = (torch.tensor([[1, 1], [0, 1], [1, 0], [0, 0]][:batch], dtype=torch.float32), 'float32')
    return d


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    out = []
    for name, config in CASES:
        model = zoo.build(config)
        with torch.no_grad():
            for mod in model.modules():  # non-trivial BatchNorm statistics and affine terms
                if isinstance(mod, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                    mod.running_mean.normal_(0, 0.5, generator=g)
                    mod.running_var.uniform_(0.5, 2.0, generator=g)
                    mod.weight.normal_(1, 0.2, generator=g)
                    mod.bias.normal_(0, 0.2, generator=g)
            for pname, p in model.named_parameters():  # learned late-fusion weights away from equal
                if pname == 'late.weight':
                    p.normal_(0, 1, generator=g)
        model.eval()
        inputs = inputs_for(config, 4 if config['kind'] != 'bilstmAttention' else 4, g)
        with torch.no_grad():
            logits = model(*[t for t, _ in inputs.values()])
        out.append({
            'name': name,
            'config': config,
            'weights': {k: tensor_json(v, 'float32') for k, v in zoo.emovox_state(model).items()},
            'inputs': {k: tensor_json(t, dt) for k, (t, dt) in inputs.items()},
            'logits': tensor_json(logits, 'float32'),
        })
    path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'models', 'golden.json')
    with open(path, 'w') as f:
        json.dump({'generator': 'reference/model_golden.py', 'torch': torch.__version__, 'cases': out}, f)
    print(f'wrote {len(out)} cases to {os.path.normpath(path)}')


if __name__ == '__main__':
    main()
