"""PyTorch baseline of bench/backbones.ts: one training epoch of torchvision's resnet18 and
efficientnet_b0 (1-channel stem, 8 classes) on 128 random 1 x 128 x 128 images, batch 32, Adam.
Run: nice -n 10 /usr/bin/python3 bench/backbones_torchvision.py (prints each run and the median of 3).
"""
import time

import torch
import torchvision


def resnet18():
    m = torchvision.models.resnet18(num_classes=8)
    m.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
    return m


def efficientnet_b0():
    m = torchvision.models.efficientnet_b0(num_classes=8)
    m.features[0][0] = torch.nn.Conv2d(1, 32, 3, 2, 1, bias=False)
    return m


def main():
    torch.manual_seed(0)
    for build in (resnet18, efficientnet_b0):
        times = []
        for _ in range(3):
            m = build().train()
            opt = torch.optim.Adam(m.parameters(), 1e-3)
            start = time.time()
            for _ in range(0, 128, 32):
                x, y = torch.randn(32, 1, 128, 128), torch.randint(0, 8, (32,))
                loss = torch.nn.functional.cross_entropy(m(x), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
            times.append(time.time() - start)
        print(f'{build.__name__}: {torch.get_num_threads()} threads, runs {", ".join(f"{t:.2f}" for t in times)} s, '
              f'median {sorted(times)[1]:.2f} s')


if __name__ == '__main__':
    main()
