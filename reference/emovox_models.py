"""PyTorch twins of the emovox model kinds (src/models/arch/), with identical state_dict names.

Used as the reference for ONNX parity fixtures (reference/model_golden.py) and for the
training/inference benchmark (reference/engine_bench.py). Dev-time only; needs torch.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MASK_FILL = -1e9


def resolve(c):
    """Fill defaults exactly like each kind's `resolve` in src/models/arch/<kind>.ts."""
    c = dict(c)
    d = {
        'mlp': dict(hidden=[256, 128], dropout=0.3),
        'cnn1d': dict(inputDim=180, channels=[128, 64], kernel=5, pool=2, dropout=0.3, dense=64),
        'bilstmAttention': dict(hidden=64, layers=1, attention='additive', attentionDim=64, heads=4,
                                extraDim=0, dense=64, dropout=0.3),
        'cnn2d': dict(inputShape=[1, 128, 128], channels=[16, 32, 64], dense=64, dropout=0.3),
        'hybrid': dict(imageShape=[1, 128, 128], vectorChannels=[64, 64], imageChannels=[16, 32, 64],
                       dense=64, dropout=0.3),
        'fusion': dict(audioHidden=[128], textInput='embedding', textDim=384, vocabSize=0, embedDim=64,
                       textHidden=64, dense=64, dropout=0.3, fusion='early', lateAverage='logits',
                       lateWeights='learned', fusedDim=64, presence=False, modalityDropout=0),
        'linear': dict(),
        'resnet': dict(inputShape=[1, 128, 128], depth=18, width=64, dropout=0, pretrained=None, freeze=[]),
        'vgg16': dict(inputShape=[1, 128, 128], channels=[64, 128, 256, 512, 512], batchNorm=False, hidden=4096,
                      pool=7, dropout=0.5, pretrained=None, freeze=[]),
        'efficientnetB0': dict(inputShape=[1, 128, 128], widthMult=1.0, depthMult=1.0, dropout=0.2,
                               stochasticDepth=0.2, bnEps=1e-5, pretrained=None, freeze=[]),
        'textCnn': dict(embedDim=128, widths=[3, 4, 5], filters=100, dense=128, dropout=0.5),
        'textBilstm': dict(embedDim=128, hidden=128, layers=1, attentionDim=128, dense=128, dropout=0.3),
        'textTransformer': dict(embedDim=128, layers=2, heads=4, activation='gelu', norm='pre',
                                positions='sinusoidal', maxLength=256, pooling='mean', dense=128, dropout=0.1),
    }[c['kind']]
    if c['kind'] == 'textTransformer':
        d.setdefault('ff', 4 * c.get('embedDim', 128))
    for k, v in d.items():
        c.setdefault(k, v)
    return c


class ConvBranch(nn.Module):
    """Conv + BN + ReLU + MaxPool blocks (+ dropout), then global average pooling."""

    def __init__(self, dims, in_ch, channels, kernel, pool, dropout):
        super().__init__()
        Conv = nn.Conv1d if dims == 1 else nn.Conv2d
        BN = nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d
        self.dims, self.pool, self.dropout = dims, pool, dropout
        chans = [in_ch] + list(channels)
        self.convs = nn.ModuleList(Conv(chans[i], chans[i + 1], kernel, padding=kernel // 2) for i in range(len(channels)))
        self.bns = nn.ModuleList(BN(ch) for ch in channels)

    def forward(self, x, training):
        # `training` is passed in because Cnn1d/Cnn2d hold this branch unregistered (to keep
        # state_dict names flat), so eval() does not reach it.
        for conv, bn in zip(self.convs, self.bns):
            x = F.relu(bn(conv(x)))
            x = F.max_pool1d(x, self.pool) if self.dims == 1 else F.max_pool2d(x, self.pool)
            if self.dropout > 0:
                x = F.dropout(x, self.dropout, training)
        return x.mean(dim=tuple(range(2, x.dim())))


def add_head(m, in_dim, c):
    m.dense = nn.Linear(in_dim, c['dense'])
    m.head = nn.Linear(c['dense'], c['classes'])


def run_head(m, x, dropout=True):
    x = F.relu(m.dense(x))
    if dropout and m.c['dropout'] > 0:
        x = F.dropout(x, m.c['dropout'], m.training)
    return m.head(x)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        dims = [c['inputDim']] + c['hidden']
        self.hidden = nn.ModuleList(nn.Linear(dims[i], dims[i + 1]) for i in range(len(c['hidden'])))
        self.head = nn.Linear(dims[-1], c['classes'])

    def forward(self, features):
        x = features
        for lin in self.hidden:
            x = F.dropout(F.relu(lin(x)), self.c['dropout'], self.training)
        return self.head(x)


class Cnn1d(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        b = ConvBranch(1, 1, c['channels'], c['kernel'], c['pool'], c['dropout'])
        self.branch = [b]
        self.convs, self.bns = b.convs, b.bns
        add_head(self, c['channels'][-1], c)

    def forward(self, features):
        return run_head(self, self.branch[0](features.unsqueeze(1), self.training), dropout=False)


class Cnn2d(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        b = ConvBranch(2, c['inputShape'][0], c['channels'], 3, 2, 0)
        self.branch = [b]
        self.convs, self.bns = b.convs, b.bns
        add_head(self, c['channels'][-1], c)

    def forward(self, spectrogram):
        return run_head(self, self.branch[0](spectrogram, self.training))


class Hybrid(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.vector = ConvBranch(1, 1, c['vectorChannels'], 5, 2, 0)
        self.image = ConvBranch(2, c['imageShape'][0], c['imageChannels'], 3, 2, 0)
        add_head(self, c['vectorChannels'][-1] + c['imageChannels'][-1], c)

    def forward(self, features, spectrogram):
        return run_head(self, torch.cat([self.vector(features.unsqueeze(1), self.training), self.image(spectrogram, self.training)], 1))


class AdditiveAttention(nn.Module):
    def __init__(self, dim, att):
        super().__init__()
        self.proj = nn.Linear(dim, att)
        self.score = nn.Linear(att, 1, bias=False)

    def forward(self, h, mask):
        e = self.score(torch.tanh(self.proj(h))).squeeze(2).masked_fill(~mask, MASK_FILL)
        return torch.bmm(torch.softmax(e, 1).unsqueeze(1), h).squeeze(1)


class TemporalAttention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.score = nn.Linear(dim, 1)

    def forward(self, h, mask):
        e = self.score(h).squeeze(2).masked_fill(~mask, MASK_FILL)
        return torch.bmm(torch.softmax(e, 1).unsqueeze(1), h).squeeze(1)


def masked_mean(x, mask):
    m = mask.float()
    return torch.bmm(m.unsqueeze(1), x).squeeze(1) / m.sum(1, keepdim=True).clamp(min=1)


class BilstmAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        w = 2 * c['hidden']
        self.lstm = nn.LSTM(c['inputDim'], c['hidden'], c['layers'], batch_first=True, bidirectional=True)
        if c['attention'] == 'additive':
            self.attention = AdditiveAttention(w, c['attentionDim'])
        elif c['attention'] == 'temporal':
            self.attention = TemporalAttention(w)
        else:
            self.attention = nn.MultiheadAttention(w, c['heads'], batch_first=True)
        add_head(self, w + c['extraDim'], c)

    def forward(self, frames, lengths, extra=None):
        T = frames.shape[1]
        if bool((lengths >= T).all()):
            h, _ = self.lstm(frames)  # full-length batch: no packing needed (as the TypeScript model)
        else:
            packed = nn.utils.rnn.pack_padded_sequence(frames, lengths.cpu().long(), batch_first=True,
                                                       enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=T)
        mask = torch.arange(T, device=frames.device).unsqueeze(0) < lengths.long().unsqueeze(1)
        if self.c['attention'] == 'multihead':
            a, _ = self.attention(h, h, h, key_padding_mask=~mask, need_weights=False)
            pooled = masked_mean(a, mask)
        else:
            pooled = self.attention(h, mask)
        if self.c['extraDim'] > 0:
            pooled = torch.cat([pooled, extra], 1)
        return run_head(self, pooled)


class TextBranch(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.tokens = c['textInput'] == 'tokens'
        if self.tokens:
            self.embedding = nn.Embedding(c['vocabSize'], c['embedDim'], padding_idx=0)
        self.proj = nn.Linear(c['embedDim'] if self.tokens else c['textDim'], c['textHidden'])

    def forward(self, x):
        if self.tokens:
            x = masked_mean(self.embedding(x), x != 0)
        return F.relu(self.proj(x))


class Fusion(nn.Module):
    """src/models/arch/fusion.ts: early (concat), late (weighted average) or attention fusion,
    with an optional presence mask [batch, 2] that zeroes and excludes a missing modality."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        dims = [c['audioDim']] + c['audioHidden']
        self.audio = nn.ModuleList(nn.Linear(dims[i], dims[i + 1]) for i in range(len(c['audioHidden'])))
        self.text = TextBranch(c)
        a, t = dims[-1], c['textHidden']
        if c['fusion'] == 'late':
            self.audioHead = nn.Linear(a, c['classes'])
            self.textHead = nn.Linear(t, c['classes'])
            if c['lateWeights'] == 'learned':
                self.late = nn.Module()
                self.late.weight = nn.Parameter(torch.zeros(2))
        elif c['fusion'] == 'attention':
            self.audioProj = nn.Linear(a, c['fusedDim'])
            self.textProj = nn.Linear(t, c['fusedDim'])
            self.attention = nn.Module()
            self.attention.score = nn.Linear(c['fusedDim'], 1)
            add_head(self, c['fusedDim'], c)
        else:
            add_head(self, a + t, c)

    def forward(self, audio, text, presence=None):
        c = self.c
        a = audio
        for lin in self.audio:
            a = F.dropout(F.relu(lin(a)), c['dropout'], self.training)
        t = self.text(text)
        pa, pt = (presence[:, 0:1], presence[:, 1:2]) if presence is not None else (None, None)
        if c['fusion'] == 'late':
            la, lt = self.audioHead(a), self.textHead(t)
            w = self.late.weight.softmax(0) if c['lateWeights'] == 'learned' else torch.tensor([0.5, 0.5])
            wa, wt = w[0:1].reshape(1, 1), w[1:2].reshape(1, 1)
            if presence is not None:
                wa, wt = wa * pa, wt * pt
                total = (wa + wt).clamp(min=1e-12)
                wa, wt = wa / total, wt / total
            if c['lateAverage'] == 'logits':
                return la * wa + lt * wt
            return (la.softmax(1) * wa + lt.softmax(1) * wt).clamp(min=1e-12).log()
        if presence is not None:
            a, t = a * pa, t * pt
        if c['fusion'] == 'attention':
            h = torch.stack([torch.tanh(self.audioProj(a)), torch.tanh(self.textProj(t))], 1)
            scores = self.attention.score(h).squeeze(2)
            if presence is not None:
                p = torch.cat([pa, pt], 1)
                scores = scores.masked_fill(p <= 0, MASK_FILL)
                h = h * p.unsqueeze(2)
            alpha = scores.softmax(1)
            return run_head(self, torch.bmm(alpha.unsqueeze(1), h).squeeze(1))
        return run_head(self, torch.cat([a, t], 1))


class Linear(nn.Module):
    """Multinomial logistic regression (src/models/arch/linear.ts): one nn.Linear named `head`."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.head = nn.Linear(c['inputDim'], c['classes'])

    def forward(self, features):
        return self.head(features)


class Resnet(nn.Module):
    """torchvision's ResNet (its BasicBlock / Bottleneck) with a configurable stem width and input
    channels; with width 64 and 3 channels its state_dict equals torchvision.models.resnet18/34/50's."""

    def __init__(self, c):
        super().__init__()
        from torchvision.models.resnet import BasicBlock, Bottleneck
        self.c = c
        block = Bottleneck if c['depth'] == 50 else BasicBlock
        counts = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3]}[c['depth']]
        w = c['width']
        self.conv1 = nn.Conv2d(c['inputShape'][0], w, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inplanes = w
        for s, n in enumerate(counts):
            planes, stride = w * 2 ** s, (1 if s == 0 else 2)
            layers = []
            for b in range(n):
                st = stride if b == 0 else 1
                down = None
                if b == 0 and (st != 1 or inplanes != planes * block.expansion):
                    down = nn.Sequential(nn.Conv2d(inplanes, planes * block.expansion, 1, st, bias=False),
                                         nn.BatchNorm2d(planes * block.expansion))
                layers.append(block(inplanes, planes, st, down))
                inplanes = planes * block.expansion
            setattr(self, f'layer{s + 1}', nn.Sequential(*layers))
        self.fc = nn.Linear(inplanes, c['classes'])

    def forward(self, spectrogram):
        x = self.maxpool(F.relu(self.bn1(self.conv1(spectrogram))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = F.dropout(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1), self.c['dropout'], self.training)
        return self.fc(x)


class Vgg16(nn.Module):
    """torchvision's VGG-16 layout (make_layers of configuration D, AdaptiveAvgPool2d, classifier
    0/3/6) with configurable widths, input channels, hidden width and pool size."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        layers, in_ch = [], c['inputShape'][0]
        for width, n in zip(c['channels'], [2, 2, 3, 3, 3]):
            for _ in range(n):
                layers.append(nn.Conv2d(in_ch, width, 3, padding=1))
                if c['batchNorm']:
                    layers.append(nn.BatchNorm2d(width))
                layers.append(nn.ReLU(inplace=True))
                in_ch = width
            layers.append(nn.MaxPool2d(2, 2))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(c['pool'])
        h, p = c['hidden'], c['dropout']
        self.classifier = nn.Sequential(nn.Linear(in_ch * c['pool'] ** 2, h), nn.ReLU(True), nn.Dropout(p),
                                        nn.Linear(h, h), nn.ReLU(True), nn.Dropout(p), nn.Linear(h, c['classes']))

    def forward(self, spectrogram):
        return self.classifier(torch.flatten(self.avgpool(self.features(spectrogram)), 1))


def EfficientnetB0(c):
    """torchvision's EfficientNet class itself, B0's stage table scaled by widthMult/depthMult, with
    the stem convolution taking the configured input channels."""
    from functools import partial
    from torchvision.models.efficientnet import EfficientNet, MBConvConfig
    conf = partial(MBConvConfig, width_mult=c['widthMult'], depth_mult=c['depthMult'])
    setting = [conf(1, 3, 1, 32, 16, 1), conf(6, 3, 2, 16, 24, 2), conf(6, 5, 2, 24, 40, 2),
               conf(6, 3, 2, 40, 80, 3), conf(6, 5, 1, 80, 112, 3), conf(6, 5, 2, 112, 192, 4),
               conf(6, 3, 1, 192, 320, 1)]
    m = EfficientNet(setting, c['dropout'], stochastic_depth_prob=c['stochasticDepth'], num_classes=c['classes'],
                     norm_layer=partial(nn.BatchNorm2d, eps=c['bnEps']))
    stem = m.features[0][0]
    m.features[0][0] = nn.Conv2d(c['inputShape'][0], stem.out_channels, 3, 2, 1, bias=False)
    return m


class TextCnn(nn.Module):
    """src/models/arch/text-cnn.ts: n-gram convolutions over embeddings, masked max over time."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embedding = nn.Embedding(c['vocabSize'], c['embedDim'], padding_idx=0)
        self.convs = nn.ModuleList(nn.Conv1d(c['embedDim'], c['filters'], w) for w in c['widths'])
        add_head(self, c['filters'] * len(c['widths']), c)

    def forward(self, tokens):
        mask = (tokens != 0).float().unsqueeze(1)
        x = self.embedding(tokens).transpose(1, 2)
        pooled = torch.cat([(F.relu(conv(F.pad(x, (0, conv.kernel_size[0] - 1)))) * mask).amax(2)
                            for conv in self.convs], 1)
        return run_head(self, F.dropout(pooled, self.c['dropout'], self.training))


class TextBilstm(nn.Module):
    """src/models/arch/text-bilstm.ts: embeddings, packed BiLSTM, additive attention pooling."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embedding = nn.Embedding(c['vocabSize'], c['embedDim'], padding_idx=0)
        self.lstm = nn.LSTM(c['embedDim'], c['hidden'], c['layers'], batch_first=True, bidirectional=True)
        self.attention = AdditiveAttention(2 * c['hidden'], c['attentionDim'])
        add_head(self, 2 * c['hidden'], c)

    def forward(self, tokens):
        T = tokens.shape[1]
        lengths = (tokens != 0).sum(1).clamp(min=1)
        x = F.dropout(self.embedding(tokens), self.c['dropout'], self.training)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        h, _ = nn.utils.rnn.pad_packed_sequence(self.lstm(packed)[0], batch_first=True, total_length=T)
        mask = torch.arange(T, device=tokens.device).unsqueeze(0) < lengths.unsqueeze(1)
        return run_head(self, F.dropout(self.attention(h, mask), self.c['dropout'], self.training))


def sinusoidal(max_length, dim):
    pos = torch.arange(max_length, dtype=torch.float64).unsqueeze(1)
    i = torch.arange(0, dim, 2, dtype=torch.float64)
    angle = pos / torch.pow(10000.0, i / dim)
    table = torch.zeros(max_length, dim, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle[:, : dim // 2])
    return table.float()


class TextTransformer(nn.Module):
    """src/models/arch/text-transformer.ts: torch.nn.TransformerEncoderLayer blocks over token ids."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        d = c['embedDim']
        self.embedding = nn.Embedding(c['vocabSize'], d, padding_idx=0)
        if c['positions'] == 'learned':
            self.positions = nn.Embedding(c['maxLength'], d)
        else:
            self.register_buffer('table', sinusoidal(c['maxLength'], d), persistent=False)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(d, c['heads'], c['ff'], c['dropout'], activation=c['activation'],
                                       batch_first=True, norm_first=c['norm'] == 'pre')
            for _ in range(c['layers']))
        if c['norm'] == 'pre':
            self.norm = nn.LayerNorm(d)
        add_head(self, d, c)

    def forward(self, tokens):
        T = tokens.shape[1]
        mask = tokens != 0
        pos = self.positions.weight[:T] if self.c['positions'] == 'learned' else self.table[:T]
        x = F.dropout(self.embedding(tokens) + pos, self.c['dropout'], self.training)
        for layer in self.layers:
            x = layer(x, src_key_padding_mask=~mask)
        if self.c['norm'] == 'pre':
            x = self.norm(x)
        pooled = x[:, 0] if self.c['pooling'] == 'cls' else masked_mean(x, mask)
        return run_head(self, F.dropout(pooled, self.c['dropout'], self.training))


KINDS = {'mlp': Mlp, 'cnn1d': Cnn1d, 'cnn2d': Cnn2d, 'hybrid': Hybrid, 'bilstmAttention': BilstmAttention,
         'fusion': Fusion, 'linear': Linear, 'resnet': Resnet, 'vgg16': Vgg16, 'efficientnetB0': EfficientnetB0,
         'textCnn': TextCnn, 'textBilstm': TextBilstm, 'textTransformer': TextTransformer}


def build(config):
    c = resolve(config)
    return KINDS[c['kind']](c)


def load_weights(model, weights):
    """weights: name -> numpy/tensor; num_batches_tracked buffers are not part of emovox bundles."""
    state = {k: torch.as_tensor(v).reshape(model.state_dict()[k].shape) for k, v in weights.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith('num_batches_tracked')]
    if missing or unexpected:
        raise ValueError(f'missing {missing}, unexpected {unexpected}')


def emovox_state(model):
    return {k: v for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked')}
