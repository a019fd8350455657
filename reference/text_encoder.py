"""A small BERT-shaped text encoder in plain torch.nn with seeded random weights, exported to ONNX
the way Hugging Face exports BERT (inputs input_ids, attention_mask, token_type_ids; outputs
last_hidden_state [batch, tokens, hidden] and pooler_output [batch, hidden]).

Used by test/text/encoder.test.ts (dev-time only; needs Debian's python3-torch):
    /usr/bin/python3 reference/text_encoder.py <inputs.json> <out.onnx> <expected.json>
inputs.json holds int64 rows {"input_ids", "attention_mask", "token_type_ids"} (lists of lists,
made by emovox's tokenizer); expected.json receives PyTorch's last_hidden_state, the CLS and the
masked-mean embeddings of those rows.
"""
import json
import math
import sys

import torch
import torch.nn as nn

CONFIG = dict(vocab=28, hidden=16, layers=2, heads=2, intermediate=32, max_positions=64, type_vocab=2)


class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c['vocab'], c['hidden'], padding_idx=0)
        self.position_embeddings = nn.Embedding(c['max_positions'], c['hidden'])
        self.token_type_embeddings = nn.Embedding(c['type_vocab'], c['hidden'])
        self.LayerNorm = nn.LayerNorm(c['hidden'], eps=1e-12)

    def forward(self, input_ids, token_type_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) \
            + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(x)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c['hidden']
        self.heads = c['heads']
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attention_output = nn.Linear(h, h)
        self.attention_norm = nn.LayerNorm(h, eps=1e-12)
        self.intermediate = nn.Linear(h, c['intermediate'])
        self.output = nn.Linear(c['intermediate'], h)
        self.output_norm = nn.LayerNorm(h, eps=1e-12)

    def forward(self, x, additive_mask):
        B, T, H = x.shape
        d = H // self.heads
        split = lambda t: t.view(B, T, self.heads, d).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + additive_mask
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, H)
        x = self.attention_norm(x + self.attention_output(ctx))
        return self.output_norm(x + self.output(nn.functional.gelu(self.intermediate(x))))


class TinyBert(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.layers = nn.ModuleList(BertLayer(c) for _ in range(c['layers']))
        self.pooler = nn.Linear(c['hidden'], c['hidden'])

    def forward(self, input_ids, attention_mask, token_type_ids):
        # BERT's extended mask: 0 for real tokens, a large negative number for padding.
        additive = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        x = self.embeddings(input_ids, token_type_ids)
        for layer in self.layers:
            x = layer(x, additive)
        return x, torch.tanh(self.pooler(x[:, 0]))


def main(inputs_path, onnx_path, expected_path):
    torch.manual_seed(7)
    model = TinyBert(CONFIG).eval()
    with torch.no_grad():
        for p in model.parameters():  # non-trivial LayerNorm affine terms too
            p.add_(torch.randn_like(p) * 0.05)
    with open(inputs_path) as f:
        rows = json.load(f)
    ids = torch.tensor(rows['input_ids'], dtype=torch.int64)
    mask = torch.tensor(rows['attention_mask'], dtype=torch.int64)
    types = torch.tensor(rows['token_type_ids'], dtype=torch.int64)
    torch.onnx.export(model, (ids, mask, types), onnx_path,
                      input_names=['input_ids', 'attention_mask', 'token_type_ids'],
                      output_names=['last_hidden_state', 'pooler_output'],
                      dynamic_axes={n: {0: 'batch', 1: 'sequence'} for n in
                                    ['input_ids', 'attention_mask', 'token_type_ids', 'last_hidden_state']}
                      | {'pooler_output': {0: 'batch'}},
                      opset_version=14)
    with torch.no_grad():
        hidden, pooler = model(ids, mask, types)
    m = mask.unsqueeze(-1).float()
    mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1)
    with open(expected_path, 'w') as f:
        json.dump({'last_hidden_state': hidden.reshape(-1).tolist(), 'shape': list(hidden.shape),
                   'cls': hidden[:, 0].reshape(-1).tolist(), 'mean': mean.reshape(-1).tolist(),
                   'pooler_output': pooler.reshape(-1).tolist()}, f)


if __name__ == '__main__':
    main(*sys.argv[1:4])
