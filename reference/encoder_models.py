"""Small speech and speaker encoders with random weights, exported to ONNX, and their outputs.

The test of src/encoders (test/encoders/encoders.test.ts) runs this into a temporary folder (or a
cache folder outside the repository); no third-party weights are involved. torchaudio's own
wav2vec2 / HuBERT architectures (torchaudio.models.wav2vec2_model, at a reduced width and depth: the
same graph as wav2vec2_base() / hubert_base()) are exported in the layouts users bring:

  w2v-layers.onnx   input_values + attention_mask (int64) -> hidden_states.0 .. hidden_states.L
                    (0 = the transformer input, as Hugging Face's hidden_states[0])
  hubert-stacked.onnx  source + padding_mask (bool, fairseq / emotion2vec style) -> hidden_states
                    [layers, batch, frames, dim] (torch.stack)
  w2v-last.onnx     input_values -> last_hidden_state (and lengths-free)
  conv-frontend.onnx  the layer-norm convolution front end alone (a local model: chunked runs must
                    equal whole runs) -> last_hidden_state
  ecapa-fbank.onnx  feats [batch, frames, 80] -> embs [batch, 32]: a small ECAPA-style TDNN with
                    attentive statistics pooling, fed WeSpeaker's Kaldi fbank (int16 scale, CMN)
  xvector-wave.onnx waveform [batch, samples] -> embedding [batch, 24]

expected.json holds the audio (base64 float32), the options of each case and PyTorch's outputs.
Run: /usr/bin/python3 reference/encoder_models.py OUT_DIR

With --base, writes instead the full-size torchaudio.models.wav2vec2_base() and hubert_base() (random
weights, ~380 MB each) as base-w2v.onnx (per-layer outputs) and base-hubert.onnx (stacked), and
expected.json with layer means on the same audio (the opt-in test EMOVOX_BASE_ENCODERS=1).
"""
import base64
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchaudio

SR = 16000


def small_w2v(extractor_mode='group_norm', layer_norm_first=False, layers=3):
    return torchaudio.models.wav2vec2_model(
        extractor_mode=extractor_mode, extractor_conv_layer_config=None, extractor_conv_bias=extractor_mode != 'group_norm',
        encoder_embed_dim=48, encoder_projection_dropout=0.0, encoder_pos_conv_kernel=16, encoder_pos_conv_groups=4,
        encoder_num_layers=layers, encoder_num_heads=4, encoder_attention_dropout=0.0, encoder_ff_interm_features=96,
        encoder_ff_interm_dropout=0.0, encoder_dropout=0.0, encoder_layer_norm_first=layer_norm_first,
        encoder_layer_drop=0.0, aux_num_out=None).eval()


def hidden_states(model, x, lengths=None):
    feats, lengths = model.feature_extractor(x, lengths)
    h, mask = model.encoder._preprocess(feats, lengths)
    t = model.encoder.transformer
    h = t._preprocess(h)
    out = [h]
    for layer in t.layers:
        h = layer(h, mask)
        out.append(h)
    return out


class LayersWrapper(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_values, attention_mask):
        # Padded samples zeroed; torchaudio's length masking does not export to ONNX (its
        # boolean index_put broadcasts wrongly), and a single utterance has no padding anyway.
        return tuple(hidden_states(self.m, input_values * attention_mask.to(input_values.dtype)))


class StackedWrapper(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, source, padding_mask):
        return torch.stack(hidden_states(self.m, source * (~padding_mask).to(source.dtype)))


class LastWrapper(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_values):
        return self.m(input_values)[0]


class FrontEnd(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_values):
        return self.m.feature_extractor(input_values, None)[0]


class SeRes2Block(nn.Module):
    """A reduced ECAPA-TDNN block: dilated Conv1d + BN + ReLU with a squeeze-excitation gate."""

    def __init__(self, ch, dilation):
        super().__init__()
        self.conv = nn.Conv1d(ch, ch, 3, padding=dilation, dilation=dilation)
        self.bn = nn.BatchNorm1d(ch)
        self.se1 = nn.Conv1d(ch, ch // 4, 1)
        self.se2 = nn.Conv1d(ch // 4, ch, 1)

    def forward(self, x):
        y = torch.relu(self.bn(self.conv(x)))
        s = torch.sigmoid(self.se2(torch.relu(self.se1(y.mean(-1, keepdim=True)))))
        return x + y * s


class Ecapa(nn.Module):
    def __init__(self, bins=80, ch=32, emb=32):
        super().__init__()
        self.stem = nn.Conv1d(bins, ch, 5, padding=2)
        self.blocks = nn.ModuleList(SeRes2Block(ch, d) for d in (2, 3, 4))
        self.att = nn.Sequential(nn.Conv1d(ch, 16, 1), nn.Tanh(), nn.Conv1d(16, ch, 1))
        self.bn = nn.BatchNorm1d(2 * ch)
        self.fc = nn.Linear(2 * ch, emb)

    def forward(self, feats):
        x = torch.relu(self.stem(feats.transpose(1, 2)))
        for b in self.blocks:
            x = b(x)
        w = torch.softmax(self.att(x), dim=-1)
        mu = (x * w).sum(-1)
        sg = torch.sqrt(((x ** 2) * w).sum(-1) - mu ** 2 + 1e-5)
        return self.fc(self.bn(torch.cat([mu, sg], 1)))


class XVectorWave(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 16, 400, stride=160)
        self.fc = nn.Linear(32, 24)

    def forward(self, waveform):
        x = torch.relu(self.conv(waveform.unsqueeze(1)))
        return self.fc(torch.cat([x.mean(-1), x.std(-1)], 1))


def speech_like(seconds, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(int(SR * seconds)) / SR
    f0 = 120 + 30 * np.sin(2 * np.pi * 0.7 * t)
    x = sum(np.sin(2 * np.pi * k * np.cumsum(f0) / SR) / k for k in range(1, 10))
    env = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t) ** 2
    return (0.2 * x * env + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


def b64(a):
    return base64.b64encode(np.ascontiguousarray(np.asarray(a), dtype='<f4').tobytes()).decode()


def export(module, args, path, inputs, outputs, dynamic):
    # A new wrapper module starts in training mode, and torch.onnx.export restores the mode it
    # found on the whole tree afterwards: without eval() here the wrapped model would be left in
    # training mode (dropout on) for the reference outputs computed after the export.
    module.eval()
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=dynamic,
                      opset_version=17)


def normalize(x, eps=1e-7):
    return (x - x.mean()) / np.sqrt(x.var() + eps)


def main_base(out):
    torch.manual_seed(1)
    short = speech_like(3.0, 5)
    x = torch.from_numpy(short).unsqueeze(0)
    xn = torch.from_numpy(normalize(short.astype(np.float64)).astype(np.float32)).unsqueeze(0)
    cases = []
    for name, build in (('base-w2v', torchaudio.models.wav2vec2_base), ('base-hubert', torchaudio.models.hubert_base)):
        m = build().eval()
        if name == 'base-w2v':
            export(LayersWrapper(m), (x, torch.ones(1, x.shape[1], dtype=torch.int64)), f'{out}/{name}.onnx',
                   ['input_values', 'attention_mask'], [f'hidden_states.{i}' for i in range(13)],
                   {'input_values': {0: 'batch', 1: 'samples'}, 'attention_mask': {0: 'batch', 1: 'samples'}})
        else:
            export(StackedWrapper(m), (x, torch.zeros(1, x.shape[1], dtype=torch.bool)), f'{out}/{name}.onnx',
                   ['source', 'padding_mask'], ['hidden_states'],
                   {'source': {0: 'batch', 1: 'samples'}, 'padding_mask': {0: 'batch', 1: 'samples'}})
        with torch.no_grad():
            hs = [h[0].numpy() for h in hidden_states(m, xn)]
        for layer in (6, 12):
            cases.append({'name': f'{name} layer {layer} mean (normalised)', 'model': f'{name}.onnx', 'audio': 'short',
                          'options': {'layer': layer, 'pooling': 'meanstd', 'normalize': True},
                          'vector': b64(np.concatenate([hs[layer].mean(0), hs[layer].std(0)]))})
    with open(f'{out}/expected.json', 'w') as f:
        json.dump({'torch': torch.__version__, 'torchaudio': torchaudio.__version__, 'audio': {'short': b64(short)},
                   'cases': cases}, f)


def main():
    if sys.argv[1] == '--base':
        return main_base(sys.argv[2])
    out = sys.argv[1]
    torch.manual_seed(0)
    short = speech_like(2.0, 1)
    long = speech_like(9.3, 2)
    cases = []

    w2v = small_w2v()
    hubert = small_w2v(layers=2)
    local = small_w2v(extractor_mode='layer_norm', layer_norm_first=True, layers=1)
    for m in (w2v, hubert, local):
        with torch.no_grad():  # non-trivial affine terms
            for p in m.parameters():
                p.add_(0.02 * torch.randn_like(p))
    x = torch.from_numpy(short).unsqueeze(0)
    wav = {'input_values': {0: 'batch', 1: 'samples'}}
    export(LayersWrapper(w2v), (x, torch.ones(1, x.shape[1], dtype=torch.int64)), f'{out}/w2v-layers.onnx',
           ['input_values', 'attention_mask'], [f'hidden_states.{i}' for i in range(4)],
           {**wav, 'attention_mask': {0: 'batch', 1: 'samples'}})
    export(StackedWrapper(hubert), (x, torch.zeros(1, x.shape[1], dtype=torch.bool)), f'{out}/hubert-stacked.onnx',
           ['source', 'padding_mask'], ['hidden_states'],
           {'source': {0: 'batch', 1: 'samples'}, 'padding_mask': {0: 'batch', 1: 'samples'}})
    export(LastWrapper(w2v), (x,), f'{out}/w2v-last.onnx', ['input_values'], ['last_hidden_state'], wav)
    export(FrontEnd(local), (x,), f'{out}/conv-frontend.onnx', ['input_values'], ['last_hidden_state'], wav)

    with torch.no_grad():
        xn = torch.from_numpy(normalize(short.astype(np.float64)).astype(np.float32)).unsqueeze(0)
        hs = [h[0].numpy() for h in hidden_states(w2v, xn)]
        cases.append({'name': 'w2v layer 2 mean (normalised)', 'model': 'w2v-layers.onnx', 'audio': 'short',
                      'options': {'layer': 2, 'pooling': 'mean', 'normalize': True}, 'vector': b64(hs[2].mean(0))})
        cases.append({'name': 'w2v all layers frames (normalised)', 'model': 'w2v-layers.onnx', 'audio': 'short',
                      'options': {'allLayers': True, 'pooling': 'none', 'normalize': True},
                      'frames': b64(np.concatenate(hs, axis=1)), 'shape': [hs[0].shape[0], 4 * hs[0].shape[1]]})
        hh = [h[0].numpy() for h in hidden_states(hubert, x)]
        last = hh[-1]
        cases.append({'name': 'hubert last mean+std', 'model': 'hubert-stacked.onnx', 'audio': 'short',
                      'options': {'pooling': 'meanstd'}, 'vector': b64(np.concatenate([last.mean(0), last.std(0)]))})
        cases.append({'name': 'hubert layer 0 mean', 'model': 'hubert-stacked.onnx', 'audio': 'short',
                      'options': {'layer': 0, 'pooling': 'mean'}, 'vector': b64(hh[0].mean(0))})
        lh = w2v(x)[0][0].numpy()
        cases.append({'name': 'w2v last_hidden_state mean', 'model': 'w2v-last.onnx', 'audio': 'short',
                      'options': {'pooling': 'mean'}, 'vector': b64(lh.mean(0))})
        fe = local.feature_extractor(torch.from_numpy(long).unsqueeze(0), None)[0][0].numpy()
        cases.append({'name': 'conv front end, 9.3 s in 3 s windows', 'model': 'conv-frontend.onnx', 'audio': 'long',
                      'options': {'pooling': 'none', 'chunkSeconds': 3, 'overlapSeconds': 0.5},
                      'frames': b64(fe), 'shape': list(fe.shape)})

    ecapa = Ecapa().eval()
    with torch.no_grad():
        for mod in ecapa.modules():
            if isinstance(mod, nn.BatchNorm1d):
                mod.running_mean.normal_(0, 0.3)
                mod.running_var.uniform_(0.5, 2)
    feats = torch.zeros(1, 50, 80)
    export(ecapa, (feats,), f'{out}/ecapa-fbank.onnx', ['feats'], ['embs'], {'feats': {0: 'batch', 1: 'frames'}})
    xv = XVectorWave().eval()
    export(xv, (x,), f'{out}/xvector-wave.onnx', ['waveform'], ['embedding'], {'waveform': {0: 'batch', 1: 'samples'}})
    with torch.no_grad():
        fb = torchaudio.compliance.kaldi.fbank(torch.from_numpy(short).unsqueeze(0) * 32768, num_mel_bins=80,
                                               frame_length=25, frame_shift=10, dither=0.0, energy_floor=0.0,
                                               sample_frequency=SR)
        fb = fb - fb.mean(0, keepdim=True)
        cases.append({'name': 'ECAPA-style on WeSpeaker fbank', 'model': 'ecapa-fbank.onnx', 'audio': 'short',
                      'speaker': True, 'options': {}, 'vector': b64(ecapa(fb.unsqueeze(0))[0].numpy())})
        cases.append({'name': 'x-vector on the waveform', 'model': 'xvector-wave.onnx', 'audio': 'short',
                      'speaker': True, 'options': {}, 'vector': b64(xv(x)[0].numpy())})

    with open(f'{out}/expected.json', 'w') as f:
        json.dump({'torch': torch.__version__, 'torchaudio': torchaudio.__version__,
                   'audio': {'short': b64(short), 'long': b64(long)}, 'cases': cases}, f)


if __name__ == '__main__':
    main()
