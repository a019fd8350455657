"""Real torchvision backbones with random weights, for the parity test of the image kinds.

Writes into OUT_DIR (a temporary folder the test makes, never the repository):
  <name>.safetensors  torchvision's state_dict (seeded random weights, random BatchNorm statistics)
  cases.json          inputs and eval-mode logits: an RGB batch [2, 3, 64, 64], and a grey batch
                      [2, 1, 64, 64] whose logits are torchvision's on the grey image repeated
                      over 3 channels (what a 1-channel model with the summed first conv computes)
Run: /usr/bin/python3 reference/torchvision_weights.py OUT_DIR [name ...]
(names: resnet18 vgg16 efficientnet_b0; default all). The safetensors writer is inline (the format:
8-byte little-endian header length, JSON header, raw little-endian tensors) because Debian has no
python3-safetensors.
"""
import base64
import json
import os
import struct
import sys

import numpy as np
import torch
import torchvision


def save_safetensors(path, state):
    header, offset, blobs = {}, 0, []
    for name in sorted(state):
        a = state[name].detach().cpu().contiguous().numpy()
        dtype = {np.dtype('float32'): 'F32', np.dtype('int64'): 'I64'}[a.dtype]
        b = a.astype(a.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    text = json.dumps(header, separators=(',', ':'))
    text += ' ' * ((8 - (len(text) + 8) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text.encode())
        for b in blobs:
            f.write(b)


def b64(t):
    return base64.b64encode(np.ascontiguousarray(t.detach().numpy(), dtype='<f4').tobytes()).decode()


def main():
    out_dir = sys.argv[1]
    names = sys.argv[2:] or ['resnet18', 'vgg16', 'efficientnet_b0']
    cases = {}
    for i, name in enumerate(names):
        torch.manual_seed(100 + i)
        g = torch.Generator().manual_seed(200 + i)
        model = getattr(torchvision.models, name)()
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.normal_(0, 0.2, generator=g)
                    m.running_var.uniform_(0.5, 1.5, generator=g)
                    m.weight.normal_(1, 0.1, generator=g)
                    m.bias.normal_(0, 0.1, generator=g)
        model.eval()
        rgb = torch.randn(2, 3, 64, 64, generator=g)
        grey = torch.randn(2, 1, 64, 64, generator=g)
        with torch.no_grad():
            logits_rgb = model(rgb)
            logits_grey = model(grey.repeat(1, 3, 1, 1))
        save_safetensors(os.path.join(out_dir, f'{name}.safetensors'), model.state_dict())
        cases[name] = {
            'rgb': b64(rgb), 'grey': b64(grey),
            'logitsRgb': b64(logits_rgb), 'logitsGrey': b64(logits_grey),
            'parameters': sum(p.numel() for p in model.parameters()),
        }
    with open(os.path.join(out_dir, 'cases.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'cases': cases}, f)


if __name__ == '__main__':
    main()
