#!/usr/bin/python3
"""Golden values for test/engine/golden.test.ts, computed with PyTorch (torch 1.13, float64).

Run: /usr/bin/python3 reference/engine_golden.py > test/fixtures/engine/golden.json
Every case stores its inputs and PyTorch's outputs (flattened, row-major) with shapes.
"""
import json

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.manual_seed(1234)


def t(x):
    return {"shape": list(x.shape), "data": [float(v) for v in x.detach().reshape(-1).tolist()]}


def ti(x):
    return {"shape": list(x.shape), "data": [int(v) for v in x.reshape(-1).tolist()]}


cases = {}

# linear / activations / softmax
x = torch.randn(3, 4)
w = torch.randn(5, 4)
b = torch.randn(5)
cases["linear"] = {"x": t(x), "w": t(w), "b": t(b), "out": t(F.linear(x, w, b))}
cases["activations"] = {
    "x": t(x),
    "gelu": t(F.gelu(x)),
    "gelu_tanh": t(F.gelu(x, approximate="tanh")),
    "elu": t(F.elu(x, 0.7)),
    "leaky_relu": t(F.leaky_relu(x, 0.2)),
    "softmax": t(F.softmax(x, -1)),
    "log_softmax0": t(F.log_softmax(x, 0)),
}

# convolutions and pooling
x1 = torch.randn(2, 4, 9)
w1 = torch.randn(6, 2, 3)
b1 = torch.randn(6)
cases["conv1d"] = {"x": t(x1), "w": t(w1), "b": t(b1), "stride": 2, "padding": 1, "dilation": 1, "groups": 2,
                   "out": t(F.conv1d(x1, w1, b1, stride=2, padding=1, groups=2))}
x2 = torch.randn(2, 3, 7, 6)
w2 = torch.randn(4, 3, 3, 2)
b2 = torch.randn(4)
cases["conv2d"] = {"x": t(x2), "w": t(w2), "b": t(b2), "stride": [2, 1], "padding": [1, 0], "dilation": [1, 2],
                   "out": t(F.conv2d(x2, w2, b2, stride=(2, 1), padding=(1, 0), dilation=(1, 2)))}
cases["pool"] = {
    "x": t(x2),
    "max2d": t(F.max_pool2d(x2, 2, stride=2, padding=1)),
    "avg2d": t(F.avg_pool2d(x2, (3, 2), stride=(2, 2))),
    "adaptive_avg2d": t(F.adaptive_avg_pool2d(x2, (3, 4))),
    "adaptive_max2d": t(F.adaptive_max_pool2d(x2, (2, 3))),
    "max1d": t(F.max_pool1d(x1, 3, stride=2, ceil_mode=True)),
    "adaptive_avg1d": t(F.adaptive_avg_pool1d(x1, 4)),
}

# normalisation
xb = torch.randn(4, 3, 5)
gamma = torch.randn(3)
beta = torch.randn(3)
rm = torch.randn(3)
rv = torch.rand(3) + 0.5
rm_after, rv_after = rm.clone(), rv.clone()
out_train = F.batch_norm(xb, rm_after, rv_after, gamma, beta, training=True, momentum=0.1, eps=1e-5)
out_eval = F.batch_norm(xb, rm, rv, gamma, beta, training=False, eps=1e-5)
cases["batch_norm"] = {"x": t(xb), "weight": t(gamma), "bias": t(beta), "running_mean": t(rm), "running_var": t(rv),
                       "out_train": t(out_train), "running_mean_after": t(rm_after), "running_var_after": t(rv_after),
                       "out_eval": t(out_eval)}
lw = torch.randn(5)
lb = torch.randn(5)
cases["layer_norm"] = {"x": t(xb), "weight": t(lw), "bias": t(lb), "out": t(F.layer_norm(xb, (5,), lw, lb))}

# recurrent
lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
xs = torch.randn(2, 5, 3)
out, (h, c) = lstm(xs)
cases["lstm"] = {"x": t(xs), "params": [t(p) for p in lstm._flat_weights], "names": lstm._flat_weights_names,
                 "out": t(out), "h": t(h), "c": t(c)}
gru = torch.nn.GRU(3, 4, num_layers=1, bidirectional=True, batch_first=True)
h0 = torch.randn(2, 2, 4)
out, h = gru(xs, h0)
cases["gru"] = {"x": t(xs), "h0": t(h0), "params": [t(p) for p in gru._flat_weights], "out": t(out), "h": t(h)}

# attention
mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
q = torch.randn(2, 3, 8)
kv = torch.randn(2, 4, 8)
kpm = torch.tensor([[False, False, False, True], [False, False, True, True]])
o, wts = mha(q, kv, kv, key_padding_mask=kpm)
cases["mha"] = {"q": t(q), "kv": t(kv), "key_padding_mask": ti(kpm.long()), "heads": 2,
                "in_proj_weight": t(mha.in_proj_weight), "in_proj_bias": t(mha.in_proj_bias),
                "out_proj_weight": t(mha.out_proj.weight), "out_proj_bias": t(mha.out_proj.bias),
                "out": t(o), "weights": t(wts)}

# losses
logits = torch.randn(6, 4)
target = torch.tensor([0, 3, 1, 1, 2, 3])
cw = torch.tensor([1.0, 2.0, 0.5, 1.5])
cases["cross_entropy"] = {"logits": t(logits), "target": ti(target), "weight": t(cw),
                          "plain": F.cross_entropy(logits, target).item(),
                          "weighted_smoothed": F.cross_entropy(logits, target, weight=cw, label_smoothing=0.1).item(),
                          "none": t(F.cross_entropy(logits, target, reduction="none"))}
bt = (torch.rand(6, 4) > 0.5).double()
pw = torch.tensor([1.0, 3.0, 0.5, 2.0])
cases["bce"] = {"logits": t(logits), "target": t(bt), "pos_weight": t(pw),
                "out": F.binary_cross_entropy_with_logits(logits, bt, pos_weight=pw).item()}

# optimisers: 5 steps on f(p) = sum((p - c)^2 * s)
def run_opt(make):
    p = torch.tensor([0.5, -1.0, 2.0, 0.1], requires_grad=True)
    c = torch.tensor([1.0, 2.0, -1.0, 0.0])
    s = torch.tensor([1.0, 0.5, 2.0, 3.0])
    opt = make([p])
    for _ in range(5):
        opt.zero_grad()
        ((p - c) ** 2 * s).sum().backward()
        opt.step()
    return t(p)

cases["optim"] = {
    "adam": run_opt(lambda ps: torch.optim.Adam(ps, lr=0.1, weight_decay=0.01)),
    "adamw": run_opt(lambda ps: torch.optim.AdamW(ps, lr=0.1, weight_decay=0.1)),
    "sgd": run_opt(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
}
g1 = torch.tensor([3.0, 4.0], requires_grad=True)
g2 = torch.tensor([12.0], requires_grad=True)
g1.grad = torch.tensor([3.0, 4.0])
g2.grad = torch.tensor([12.0])
total = torch.nn.utils.clip_grad_norm_([g1, g2], 1.0)
cases["clip"] = {"total": total.item(), "g1": t(g1.grad), "g2": t(g2.grad)}

# default initialisation: same seed + same creation order gives the same numbers
torch.set_default_dtype(torch.float32)
torch.manual_seed(7)
lin = torch.nn.Linear(5, 3)
cases["init_linear_seed7"] = {"weight": t(lin.weight), "bias": t(lin.bias)}

print(json.dumps({"torch": torch.__version__, "cases": cases}))
