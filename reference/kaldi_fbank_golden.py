"""Writes test/fixtures/features/kaldi_fbank.json: torchaudio.compliance.kaldi.fbank on small
deterministic signals with several option sets (the reference for src/features/kaldi-fbank.ts).
Run: /usr/bin/python3 reference/kaldi_fbank_golden.py
"""
import base64
import json
import os

import numpy as np
import torch
import torchaudio

# (name, sample rate, emovox options; the torchaudio keyword arguments are derived below)
CASES = [
    ('defaults-80', 16000, {}),
    ('energy-hamming-40-8k', 8000, dict(numMelBins=40, useEnergy=True, rawEnergy=False, windowType='hamming',
                                        lowFreq=60, highFreq=-400, energyFloor=0)),
    ('energy-htk-hanning', 16000, dict(numMelBins=24, useEnergy=True, htkCompat=True, windowType='hanning',
                                       frameLength=20, frameShift=8)),
    ('no-snip-cmn-magnitude', 16000, dict(snipEdges=False, subtractMean=True, usePower=False,
                                          preemphasisCoefficient=0, removeDcOffset=False,
                                          roundToPowerOfTwo=False, windowType='blackman')),
    ('linear-rectangular', 16000, dict(numMelBins=16, useLogFbank=False, windowType='rectangular')),
    ('int16-scale', 16000, dict(scale=32768.0, numMelBins=64)),
]

NAMES = dict(numMelBins='num_mel_bins', frameLength='frame_length', frameShift='frame_shift',
             preemphasisCoefficient='preemphasis_coefficient', removeDcOffset='remove_dc_offset',
             windowType='window_type', roundToPowerOfTwo='round_to_power_of_two', snipEdges='snip_edges',
             energyFloor='energy_floor', rawEnergy='raw_energy', useEnergy='use_energy', htkCompat='htk_compat',
             useLogFbank='use_log_fbank', usePower='use_power', lowFreq='low_freq', highFreq='high_freq',
             subtractMean='subtract_mean')


def signal(sr, seconds, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    f0 = 140 + 40 * np.sin(2 * np.pi * 3 * t)
    voiced = sum(np.sin(2 * np.pi * k * np.cumsum(f0) / sr) / k for k in range(1, 8))
    x = 0.3 * voiced * (0.5 + 0.5 * np.sin(2 * np.pi * 2 * t)) + 0.02 * rng.standard_normal(t.size) + 0.01
    return x.astype(np.float32)


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype='<f4').tobytes()).decode()


def main():
    out = []
    for i, (name, sr, opts) in enumerate(CASES):
        x = signal(sr, 0.43, i)
        kwargs = {NAMES[k]: v for k, v in opts.items() if k != 'scale'}
        kwargs.setdefault('num_mel_bins', 80)
        wave = torch.from_numpy(x).unsqueeze(0) * opts.get('scale', 1.0)
        fb = torchaudio.compliance.kaldi.fbank(wave, sample_frequency=sr, dither=0.0, **kwargs)
        out.append({'name': name, 'sampleRate': sr, 'options': opts, 'samples': b64(x),
                    'frames': fb.shape[0], 'bins': fb.shape[1], 'values': b64(fb.numpy())})
    path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'features', 'kaldi_fbank.json')
    with open(path, 'w') as f:
        json.dump({'generator': 'reference/kaldi_fbank_golden.py', 'torchaudio': torchaudio.__version__,
                   'cases': out}, f)
    print(f'wrote {len(out)} cases to {os.path.normpath(path)}')


if __name__ == '__main__':
    main()
