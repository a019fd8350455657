#!/usr/bin/env python3
"""Golden values for emovox's librosa-compatible features.

librosa cannot be installed here, so this script is a faithful numpy port of the librosa 0.11
formulas (librosa/core/spectrum.py, librosa/filters.py, librosa/feature/spectral.py,
librosa/core/pitch.py, librosa/core/audio.py autocorrelate, librosa/sequence.py), computed in
float64. 0.11 changed only YIN / pYIN among these (whole-frame autocorrelation in the cumulative
mean normalised difference, lags up to frame_length - 1, a uniform initial state in pyin); the
0.10 versions stay here too (fixtures suffixed _010) for emovox's `librosaCompat: '0.10'`. Where torchaudio implements
the same definition (spectrogram, Slaney mel spectrogram, MFCC with center/constant padding)
the port is cross-checked against it, which proves the port itself.

Run with the Debian interpreter (it has numpy, scipy and torchaudio):
    /usr/bin/python3 reference/features_golden.py
Writes test/fixtures/features/golden.json plus raw little-endian float32 arrays (*.f32),
all matrices in emovox's frames x bins layout.
"""
import json
import os
import sys

import numpy as np
import scipy.signal
import scipy.stats

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "features")
TINY32 = np.finfo(np.float32).tiny
TINY64 = np.finfo(np.float64).tiny


# ---------------------------------------------------------------- conversions (core/convert.py)
def hz_to_mel(f, htk=False):
    f = np.asanyarray(f, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    if f.ndim:
        log_t = f >= min_log_hz
        mels[log_t] = min_log_mel + np.log(f[log_t] / min_log_hz) / logstep
    elif f >= min_log_hz:
        mels = min_log_mel + np.log(f / min_log_hz) / logstep
    return mels


def mel_to_hz(m, htk=False):
    m = np.asanyarray(m, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    if m.ndim:
        log_t = m >= min_log_mel
        freqs[log_t] = min_log_hz * np.exp(logstep * (m[log_t] - min_log_mel))
    elif m >= min_log_mel:
        freqs = min_log_hz * np.exp(logstep * (m - min_log_mel))
    return freqs


def mel_frequencies(n_mels, fmin, fmax, htk=False):
    return mel_to_hz(np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels), htk)


def fft_frequencies(sr, n_fft):
    return np.fft.rfftfreq(n=n_fft, d=1.0 / sr)


def hz_to_octs(f, tuning=0.0, bins_per_octave=12):
    a440 = 440.0 * 2.0 ** (tuning / bins_per_octave)
    return np.log2(np.asanyarray(f) / (float(a440) / 16))


# ---------------------------------------------------------------- util
def normalize(S, norm, axis, threshold=TINY32):
    if norm is None:
        return S
    mag = np.abs(S).astype(float)
    if norm == np.inf:
        length = np.max(mag, axis=axis, keepdims=True)
    elif norm == 1:
        length = np.sum(mag, axis=axis, keepdims=True)
    else:
        length = np.sum(mag**norm, axis=axis, keepdims=True) ** (1.0 / norm)
    length = length.copy()
    length[length < threshold] = 1.0
    return S / length


def localmax(x, axis=0):
    pad = [(0, 0)] * x.ndim
    pad[axis] = (1, 1)
    xp = np.pad(x, pad, mode="edge")
    i1 = [slice(None)] * x.ndim
    i1[axis] = slice(0, -2)
    i2 = [slice(None)] * x.ndim
    i2[axis] = slice(2, xp.shape[axis])
    return (x > xp[tuple(i1)]) & (x >= xp[tuple(i2)])


def localmin(x, axis=0):
    return localmax(-x, axis=axis)


def frame(y, frame_length, hop_length):
    n = 1 + (len(y) - frame_length) // hop_length
    return np.stack([y[t * hop_length : t * hop_length + frame_length] for t in range(n)], axis=1)


# ---------------------------------------------------------------- spectrum (core/spectrum.py)
def get_window_periodic_hann(n):
    return scipy.signal.get_window("hann", n, fftbins=True)


def stft(y, n_fft=2048, hop_length=None, win_length=None, center=True, pad_mode="constant"):
    win_length = n_fft if win_length is None else win_length
    hop_length = win_length // 4 if hop_length is None else hop_length
    w = get_window_periodic_hann(win_length)
    lpad = (n_fft - win_length) // 2
    w = np.pad(w, (lpad, n_fft - win_length - lpad))
    if center:
        y = np.pad(y, (n_fft // 2, n_fft // 2), mode=pad_mode)
    frames = frame(y.astype(np.float64), n_fft, hop_length)
    return np.fft.rfft(w[:, None] * frames, axis=0)  # (bins, frames)


def power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0):
    ref_value = np.max(S) if ref == "max" else np.abs(ref)
    log_spec = 10.0 * np.log10(np.maximum(amin, S))
    log_spec -= 10.0 * np.log10(np.maximum(amin, ref_value))
    if top_db is not None:
        log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def amplitude_to_db(S, ref=1.0, amin=1e-5, top_db=80.0):
    mag = np.abs(S)
    ref_value = np.max(mag) if ref == "max" else np.abs(ref)
    return power_to_db(mag**2, ref=ref_value**2, amin=amin**2, top_db=top_db)


# ---------------------------------------------------------------- filters.py
def mel_filter(sr, n_fft, n_mels=128, fmin=0.0, fmax=None, htk=False, norm="slaney"):
    fmax = float(sr) / 2 if fmax is None else fmax
    weights = np.zeros((n_mels, int(1 + n_fft // 2)))
    fftfreqs = fft_frequencies(sr, n_fft)
    mel_f = mel_frequencies(n_mels + 2, fmin, fmax, htk)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    if norm == "slaney":
        enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
        weights *= enorm[:, np.newaxis]
    else:
        weights = normalize(weights, norm=norm, axis=-1)
    return weights


def chroma_filter(sr, n_fft, n_chroma=12, tuning=0.0, ctroct=5.0, octwidth=2, norm=2, base_c=True):
    frequencies = np.linspace(0, sr, n_fft, endpoint=False)[1:]
    frqbins = n_chroma * hz_to_octs(frequencies, tuning=tuning, bins_per_octave=n_chroma)
    frqbins = np.concatenate(([frqbins[0] - 1.5 * n_chroma], frqbins))
    binwidthbins = np.concatenate((np.maximum(frqbins[1:] - frqbins[:-1], 1.0), [1]))
    D = np.subtract.outer(frqbins, np.arange(0, n_chroma, dtype="d")).T
    n_chroma2 = np.round(float(n_chroma) / 2)
    D = np.remainder(D + n_chroma2 + 10 * n_chroma, n_chroma) - n_chroma2
    wts = np.exp(-0.5 * (2 * D / np.tile(binwidthbins, (n_chroma, 1))) ** 2)
    wts = normalize(wts, norm=norm, axis=0)
    if octwidth is not None:
        wts *= np.tile(np.exp(-0.5 * (((frqbins / n_chroma - ctroct) / octwidth) ** 2)), (n_chroma, 1))
    if base_c:
        wts = np.roll(wts, -3 * (n_chroma // 12), axis=0)
    return np.ascontiguousarray(wts[:, : int(1 + n_fft / 2)])


# ---------------------------------------------------------------- feature/spectral.py
def melspectrogram(y, sr, n_fft=2048, hop_length=512, power=2.0, **mel_kw):
    S = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length)) ** power
    return mel_filter(sr, n_fft, **mel_kw) @ S


def mfcc(y, sr, n_mfcc=20, lifter=0, **kw):
    S = power_to_db(melspectrogram(y, sr, **kw))
    M = scipy.fft.dct(S, axis=-2, type=2, norm="ortho")[:n_mfcc]
    if lifter > 0:
        LI = np.sin(np.pi * np.arange(1, 1 + n_mfcc, dtype=M.dtype) / lifter)
        M *= 1 + (lifter / 2) * LI[:, None]
    return M


def parabolic_interpolation(x):
    """librosa 0.10 _parabolic_interpolation along axis 0 (numba stencil semantics)."""
    shifts = np.zeros_like(x)
    a = x[2:] + x[:-2] - 2 * x[1:-1]
    b = (x[2:] - x[:-2]) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(np.abs(b) >= np.abs(a), 0.0, -b / a)
    shifts[1:-1] = s
    return shifts


def piptrack(S, sr, fmin=150.0, fmax=4000.0, threshold=0.1):
    S = np.abs(S)
    n_fft = 2 * (S.shape[0] - 1)
    fmin = np.maximum(fmin, 0)
    fmax = np.minimum(fmax, float(sr) / 2)
    fft_freqs = fft_frequencies(sr, n_fft)
    avg = np.gradient(S, axis=-2)
    shift = parabolic_interpolation(S)
    dskew = 0.5 * avg * shift
    pitches = np.zeros_like(S)
    mags = np.zeros_like(S)
    freq_mask = ((fmin <= fft_freqs) & (fft_freqs < fmax))[:, None]
    ref_value = threshold * np.max(S, axis=0, keepdims=True)
    idx = np.nonzero(freq_mask & localmax(S * (S > ref_value), axis=0))
    pitches[idx] = (idx[0] + shift[idx]) * float(sr) / n_fft
    mags[idx] = S[idx] + dskew[idx]
    return pitches, mags


def pitch_tuning(freqs, resolution=0.01, bins_per_octave=12):
    freqs = np.atleast_1d(freqs)
    freqs = freqs[freqs > 0]
    if not np.any(freqs):
        return 0.0
    residual = np.mod(bins_per_octave * hz_to_octs(freqs), 1.0)
    residual[residual >= 0.5] -= 1.0
    bins = np.linspace(-0.5, 0.5, int(np.ceil(1.0 / resolution)) + 1)
    counts, tuning = np.histogram(residual, bins)
    return float(tuning[np.argmax(counts)])


def estimate_tuning(S, sr, resolution=0.01, bins_per_octave=12):
    pitch, mag = piptrack(S, sr)
    pitch_mask = pitch > 0
    threshold = np.median(mag[pitch_mask]) if pitch_mask.any() else 0.0
    return pitch_tuning(pitch[(mag >= threshold) & pitch_mask], resolution, bins_per_octave)


def chroma_stft(y=None, sr=22050, S=None, n_fft=2048, hop_length=512, tuning=None, n_chroma=12, norm=np.inf):
    if S is None:
        S = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length)) ** 2
    n_fft = 2 * (S.shape[0] - 1)
    if tuning is None:
        tuning = estimate_tuning(S, sr, bins_per_octave=n_chroma)
    fb = chroma_filter(sr, n_fft, n_chroma=n_chroma, tuning=tuning)
    return normalize(fb @ S, norm=norm, axis=-2), tuning


def tonnetz(chroma):
    """librosa 0.11 feature.tonnetz with the chromagram given (bins x frames)."""
    dim_map = np.linspace(0, 12, num=chroma.shape[-2], endpoint=False)
    scale = np.asarray([7.0 / 6, 7.0 / 6, 3.0 / 2, 3.0 / 2, 2.0 / 3, 2.0 / 3])
    V = np.multiply.outer(scale, dim_map)
    V[::2] -= 0.5
    R = np.array([1, 1, 1, 1, 0.5, 0.5])
    phi = R[:, np.newaxis] * np.cos(np.pi * V)
    return np.einsum("pc,...ci->...pi", phi, normalize(chroma, norm=1, axis=-2), optimize=True)


def spectral_centroid(S, sr):
    freq = fft_frequencies(sr, 2 * (S.shape[0] - 1))
    return np.sum(freq[:, None] * normalize(S, norm=1, axis=-2), axis=-2, keepdims=True)


def spectral_bandwidth(S, sr, p=2, norm=True):
    freq = fft_frequencies(sr, 2 * (S.shape[0] - 1))
    centroid = spectral_centroid(S, sr)
    if norm:
        S = normalize(S, norm=1, axis=-2)
    deviation = np.abs(freq[:, None] - centroid)
    return np.sum(S * deviation**p, axis=-2, keepdims=True) ** (1.0 / p)


def spectral_rolloff(S, sr, roll_percent=0.85):
    freq = fft_frequencies(sr, 2 * (S.shape[0] - 1))
    total_energy = np.cumsum(S, axis=-2)
    threshold = roll_percent * total_energy[-1:, :]
    ind = np.where(total_energy < threshold, np.nan, 1)
    return np.nanmin(ind * freq[:, None], axis=-2, keepdims=True)


def spectral_flatness(S, amin=1e-10, power=2.0):
    S_thresh = np.maximum(amin, S**power)
    gmean = np.exp(np.mean(np.log(S_thresh), axis=-2, keepdims=True))
    amean = np.mean(S_thresh, axis=-2, keepdims=True)
    return gmean / amean


def spectral_contrast(S, sr, fmin=200.0, n_bands=6, quantile=0.02, linear=False):
    freq = fft_frequencies(sr, 2 * (S.shape[0] - 1))
    octa = np.zeros(n_bands + 2)
    octa[1:] = fmin * (2.0 ** np.arange(0, n_bands + 1))
    if np.any(octa[:-1] >= 0.5 * sr):
        raise ValueError("Frequency band exceeds Nyquist")
    valley = np.zeros((n_bands + 1, S.shape[1]))
    peak = np.zeros_like(valley)
    for k, (f_low, f_high) in enumerate(zip(octa[:-1], octa[1:])):
        current_band = np.logical_and(freq >= f_low, freq <= f_high)
        idx = np.flatnonzero(current_band)
        if k > 0:
            current_band[idx[0] - 1] = True
        if k == n_bands:
            current_band[idx[-1] + 1 :] = True
        sub_band = S[current_band]
        if k < n_bands:
            sub_band = sub_band[:-1]
        idx = np.rint(quantile * np.sum(current_band))
        idx = int(np.maximum(idx, 1))
        sortedr = np.sort(sub_band, axis=0)
        valley[k] = np.mean(sortedr[:idx], axis=0)
        peak[k] = np.mean(sortedr[-idx:], axis=0)
    if linear:
        return peak - valley
    return power_to_db(peak) - power_to_db(valley)


def zero_crossing_rate(y, frame_length=2048, hop_length=512, center=True, threshold=1e-10):
    if center:
        y = np.pad(y, (frame_length // 2, frame_length // 2), mode="edge")
    yf = frame(y.astype(np.float64), frame_length, hop_length).copy()
    yf[np.abs(yf) <= threshold] = 0
    sb = np.signbit(yf)
    crossings = np.pad(sb[1:] != sb[:-1], [(1, 0), (0, 0)], mode="constant", constant_values=False)
    return np.mean(crossings, axis=0, keepdims=True)


def rms(y, frame_length=2048, hop_length=512, center=True, pad_mode="constant"):
    if center:
        y = np.pad(y, (frame_length // 2, frame_length // 2), mode=pad_mode)
    x = frame(y.astype(np.float64), frame_length, hop_length)
    return np.sqrt(np.mean(np.abs(x) ** 2, axis=0, keepdims=True))


def delta(data, width=9, order=1):
    return scipy.signal.savgol_filter(data, width, deriv=order, polyorder=order, axis=-1, mode="interp")


# ---------------------------------------------------------------- core/pitch.py (yin, pyin)
def cmnd(y_frames, frame_length, win_length, min_period, max_period):
    a = np.fft.rfft(y_frames, frame_length, axis=-2)
    b = np.fft.rfft(y_frames[win_length:0:-1, :], frame_length, axis=-2)
    acf = np.fft.irfft(a * b, frame_length, axis=-2)[win_length:, :]
    acf[np.abs(acf) < 1e-6] = 0
    energy = np.cumsum(y_frames**2, axis=-2)
    energy = energy[win_length:, :] - energy[:-win_length, :]
    energy[np.abs(energy) < 1e-6] = 0
    yf = energy[:1, :] + energy - 2 * acf
    num = yf[min_period : max_period + 1, :]
    tau = np.arange(1, max_period + 1)[:, None]
    cm = np.cumsum(yf[1 : max_period + 1, :], axis=-2) / tau
    den = cm[min_period - 1 : max_period, :]
    return num / (den + TINY64)


def autocorrelate(y, max_size, axis=-2):
    """librosa 0.11 core/audio.py autocorrelate (real input)."""
    max_size = int(min(max_size, y.shape[axis]))
    n_pad = scipy.fft.next_fast_len(2 * y.shape[axis] - 1, real=True)
    powspec = np.abs(np.fft.rfft(y, n=n_pad, axis=axis)) ** 2
    autocorr = np.fft.irfft(powspec, n=n_pad, axis=axis)
    sl = [slice(None)] * autocorr.ndim
    sl[axis] = slice(max_size)
    return autocorr[tuple(sl)]


def cmnd_011(y_frames, min_period, max_period):
    """librosa 0.11 _cumulative_mean_normalized_difference (whole-frame autocorrelation)."""
    acf = autocorrelate(y_frames, max_size=max_period + 1, axis=-2)
    yin_frames = np.square(y_frames)
    np.cumsum(yin_frames, out=yin_frames, axis=-2)
    k = slice(1, max_period + 1)
    yin_frames[0, :] = 0
    yin_frames[k, :] = 2 * (acf[0:1, :] - acf[k, :]) - yin_frames[: k.stop - 1, :]
    num = yin_frames[min_period : max_period + 1, :]
    k_range = np.r_[k][:, None]
    cm = np.cumsum(yin_frames[k, :], axis=-2) / k_range
    den = cm[min_period - 1 : max_period, :]
    return num / (den + TINY64)


def _yin_frames(y, fmin, fmax, sr, frame_length, hop_length, version):
    y = np.pad(y.astype(np.float64), (frame_length // 2, frame_length // 2), mode="constant")
    yf = frame(y, frame_length, hop_length)
    min_period = int(np.floor(sr / fmax))
    if version == "0.10":
        win_length = frame_length // 2
        max_period = min(int(np.ceil(sr / fmin)), frame_length - win_length - 1)
        return cmnd(yf, frame_length, win_length, min_period, max_period), min_period
    assert sr / fmin < frame_length - 1, "librosa 0.11: fmin too small for frame_length"
    max_period = min(int(np.ceil(sr / fmin)), frame_length - 1)
    return cmnd_011(yf, min_period, max_period), min_period


def yin(y, fmin, fmax, sr=22050, frame_length=2048, trough_threshold=0.1, version="0.11"):
    hop_length = frame_length // 4
    yin_frames, min_period = _yin_frames(y, fmin, fmax, sr, frame_length, hop_length, version)
    shifts = parabolic_interpolation(yin_frames)
    is_trough = localmin(yin_frames, axis=0)
    is_trough[0, :] = yin_frames[0, :] < yin_frames[1, :]
    itt = np.logical_and(is_trough, yin_frames < trough_threshold)
    global_min = np.argmin(yin_frames, axis=0)
    period = np.argmax(itt, axis=0)
    none = np.all(~itt, axis=0)
    period[none] = global_min[none]
    period = min_period + period + shifts[period, np.arange(yin_frames.shape[1])]
    return sr / period


# ---------------------------------------------------------------- sequence.py (librosa 0.11)
def transition_uniform(n_states):
    return np.full((n_states, n_states), 1.0 / n_states)


def transition_loop(n_states, prob):
    prob = np.asarray(prob, dtype=np.float64)
    if prob.ndim == 0:
        prob = np.tile(prob, n_states)
    transition = np.empty((n_states, n_states))
    for i, p in enumerate(prob):
        transition[i] = (1.0 - p) / (n_states - 1)
        transition[i, i] = p
    return transition


def transition_cycle(n_states, prob):
    prob = np.asarray(prob, dtype=np.float64)
    if prob.ndim == 0:
        prob = np.tile(prob, n_states)
    transition = np.zeros((n_states, n_states))
    for i, p in enumerate(prob):
        transition[i, np.mod(i + 1, n_states)] = 1.0 - p
        transition[i, i] = p
    return transition


def transition_local(n_states, width, window="triangle", wrap=False):
    width = np.asarray(width, dtype=int)
    if width.ndim == 0:
        width = np.tile(width, n_states)
    transition = np.zeros((n_states, n_states))
    for i, width_i in enumerate(width):
        w = scipy.signal.get_window(window, width_i, fftbins=False)
        lpad = (n_states - width_i) // 2
        row = np.pad(w, (lpad, n_states - width_i - lpad))
        row = np.roll(row, n_states // 2 + i + 1)
        if not wrap:
            row[min(n_states, i + width_i // 2 + 1) :] = 0
            row[: max(0, i - width_i // 2)] = 0
        transition[i] = row
    return transition / transition.sum(axis=1, keepdims=True)


def viterbi(prob, transition, p_init=None, return_logp=False):
    n_states, n_steps = prob.shape
    if p_init is None:
        p_init = np.full(n_states, 1.0 / n_states)
    eps = np.finfo(prob.dtype).tiny
    log_trans = np.log(transition + eps)
    log_prob = np.log(prob.T + eps)
    log_p_init = np.log(p_init + eps)
    value = np.zeros((n_steps, n_states))
    ptr = np.zeros((n_steps, n_states), dtype=int)
    value[0] = log_prob[0] + log_p_init
    for t in range(1, n_steps):
        trans_out = value[t - 1] + log_trans.T
        ptr[t] = np.argmax(trans_out, axis=1)
        value[t] = log_prob[t] + trans_out[np.arange(n_states), ptr[t]]
    state = np.zeros(n_steps, dtype=int)
    state[-1] = np.argmax(value[-1])
    for t in range(n_steps - 2, -1, -1):
        state[t] = ptr[t + 1, state[t + 1]]
    if return_logp:
        return state, float(value[-1, state[-1]])
    return state


def pyin(y, fmin, fmax, sr=22050, frame_length=2048, n_thresholds=100, beta_parameters=(2, 18),
         boltzmann_parameter=2, resolution=0.1, max_transition_rate=35.92, switch_prob=0.01,
         no_trough_prob=0.01, version="0.11"):
    hop_length = frame_length // 4
    yin_frames, min_period = _yin_frames(y, fmin, fmax, sr, frame_length, hop_length, version)
    shifts = parabolic_interpolation(yin_frames)
    thresholds = np.linspace(0, 1, n_thresholds + 1)
    beta_cdf = scipy.stats.beta.cdf(thresholds, beta_parameters[0], beta_parameters[1])
    beta_probs = np.diff(beta_cdf)
    n_bins_per_semitone = int(np.ceil(1.0 / resolution))
    n_pitch_bins = int(np.floor(12 * n_bins_per_semitone * np.log2(fmax / fmin))) + 1
    yin_probs = np.zeros_like(yin_frames)
    for i, yin_frame in enumerate(yin_frames.T):
        is_trough = localmin(yin_frame)
        is_trough[0] = yin_frame[0] < yin_frame[1]
        (trough_index,) = np.nonzero(is_trough)
        if len(trough_index) == 0:
            continue
        trough_heights = yin_frame[trough_index]
        trough_thresholds = np.less.outer(trough_heights, thresholds[1:])
        trough_positions = np.cumsum(trough_thresholds, axis=0) - 1
        n_troughs = np.count_nonzero(trough_thresholds, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            trough_prior = scipy.stats.boltzmann.pmf(trough_positions, boltzmann_parameter, n_troughs)
        trough_prior[~trough_thresholds] = 0
        probs = trough_prior.dot(beta_probs)
        global_min = np.argmin(trough_heights)
        n_below = np.count_nonzero(~trough_thresholds[global_min, :])
        probs[global_min] += no_trough_prob * np.sum(beta_probs[:n_below])
        yin_probs[trough_index, i] = probs
    yin_period, frame_index = np.nonzero(yin_probs)
    period_candidates = min_period + yin_period + shifts[yin_period, frame_index]
    f0_candidates = sr / period_candidates
    bin_index = 12 * n_bins_per_semitone * np.log2(f0_candidates / fmin)
    bin_index = np.clip(np.round(bin_index), 0, n_pitch_bins).astype(int)
    obs = np.zeros((2 * n_pitch_bins, yin_frames.shape[1]))
    obs[bin_index, frame_index] = yin_probs[yin_period, frame_index]
    voiced_prob = np.clip(np.sum(obs[:n_pitch_bins, :], axis=0, keepdims=True), 0, 1)
    obs[n_pitch_bins:, :] = (1 - voiced_prob) / n_pitch_bins
    max_semitones_per_frame = round(max_transition_rate * 12 * hop_length / sr)
    transition_width = max_semitones_per_frame * n_bins_per_semitone + 1
    transition = transition_local(n_pitch_bins, transition_width)
    t_switch = transition_loop(2, 1 - switch_prob)
    transition = np.kron(t_switch, transition)
    if version == "0.10":
        p_init = np.zeros(2 * n_pitch_bins)
        p_init[n_pitch_bins:] = 1 / n_pitch_bins
    else:
        p_init = np.ones(2 * n_pitch_bins) / (2 * n_pitch_bins)
    states = viterbi(obs, transition, p_init)
    freqs = fmin * 2 ** (np.arange(n_pitch_bins) / (12 * n_bins_per_semitone))
    f0 = freqs[states % n_pitch_bins]
    voiced = states < n_pitch_bins
    f0[~voiced] = np.nan
    return f0, voiced, voiced_prob[0]


# ---------------------------------------------------------------- test signals
def lcg_noise(n, seed):
    """Uniform noise in [-1, 1) from a 32-bit LCG (reproducible in TypeScript too)."""
    out = np.empty(n)
    s = seed & 0xFFFFFFFF
    for i in range(n):
        s = (1664525 * s + 1013904223) & 0xFFFFFFFF
        out[i] = s / 2**31 - 1.0
    return out


def signals():
    sigs = {}
    sr = 22050
    t = np.arange(int(1.0 * sr)) / sr
    # logarithmic chirp 100 Hz -> 4 kHz
    f0, f1, T = 100.0, 4000.0, 1.0
    k = (f1 / f0) ** (1 / T)
    sigs["chirp"] = (sr, (0.5 * np.sin(2 * np.pi * f0 * (k**t - 1) / np.log(k))).astype(np.float32))
    sr = 16000
    t = np.arange(int(1.0 * sr)) / sr
    tone = sum((0.6 / h) * np.sin(2 * np.pi * 220.0 * h * t + 0.3 * h) for h in range(1, 6))
    sigs["tone_noise"] = (sr, (tone + 0.05 * lcg_noise(len(t), 12345)).astype(np.float32))
    sr = 22050
    n = int(0.8 * sr)
    t = np.arange(n) / sr
    # synthetic vowel: glottal pulse train with vibrato through 3 formant resonators, onset/offset envelope
    f0 = 140.0 + 15.0 * np.sin(2 * np.pi * 4.0 * t) + 30.0 * t
    phase = 2 * np.pi * np.cumsum(f0) / sr
    src = sum(np.sin(h * phase) / h for h in range(1, 30))
    y = src
    for fc, bw in [(700.0, 110.0), (1220.0, 120.0), (2600.0, 160.0)]:
        r = np.exp(-np.pi * bw / sr)
        a = [1.0, -2 * r * np.cos(2 * np.pi * fc / sr), r * r]
        y = scipy.signal.lfilter([1.0 - r], a, y) + 0.3 * y
    env = np.clip(np.minimum(t / 0.05, (t[-1] - t) / 0.08), 0, 1)
    env[: int(0.1 * sr)] *= (np.arange(int(0.1 * sr)) >= int(0.05 * sr))  # 50 ms of silence first
    y = y * env
    y = 0.4 * y / np.max(np.abs(y)) + 0.002 * lcg_noise(n, 777)
    sigs["vowel"] = (sr, y.astype(np.float32))
    # pyin stress test: noise with five vibrato tones (one only 50 ms long), 10 voicing switches
    sr = 16000
    rng = np.random.default_rng(5)
    n = sr * 3
    t = np.arange(n) / sr
    y = 0.05 * rng.standard_normal(n)
    for a, b, f in [(0.2, 0.6, 150), (0.8, 1.1, 300), (1.3, 1.35, 500), (1.6, 2.4, 90), (2.5, 2.9, 700)]:
        m = (t >= a) & (t < b)
        phase = 2 * np.pi * np.cumsum(f * (1 + 0.05 * np.sin(2 * np.pi * 5 * t))) / sr
        y[m] += 0.3 * sum(np.sin(h * phase[m]) / h for h in range(1, 6))
    sigs["stress"] = (sr, y.astype(np.float32))
    return sigs


# ---------------------------------------------------------------- cross-checks
def torchaudio_crosscheck(y, sr):
    try:
        import torch
        import torchaudio
    except ImportError:
        print("torchaudio not available: cross-check skipped", file=sys.stderr)
        return {}
    x = torch.from_numpy(y.astype(np.float64))
    spec = torchaudio.transforms.Spectrogram(n_fft=2048, hop_length=512, power=2.0, center=True,
                                             pad_mode="constant").double()(x).numpy()
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=2048, hop_length=512, n_mels=128,
                                               f_min=0.0, f_max=sr / 2, power=2.0, center=True,
                                               pad_mode="constant", norm="slaney", mel_scale="slaney").double()(x).numpy()
    mf = torchaudio.transforms.MFCC(sample_rate=sr, n_mfcc=40, norm="ortho", log_mels=False,
                                    melkwargs=dict(n_fft=2048, hop_length=512, n_mels=128, f_min=0.0, f_max=sr / 2,
                                                   center=True, pad_mode="constant", norm="slaney",
                                                   mel_scale="slaney")).double()(x).numpy()
    ours_spec = np.abs(stft(y)) ** 2
    ours_mel = melspectrogram(y, sr)
    ours_mfcc = mfcc(y, sr, n_mfcc=40)
    rel = lambda a, b: float(np.max(np.abs(a - b)) / np.max(np.abs(b)))
    res = {"spectrogram": rel(ours_spec, spec), "melspectrogram": rel(ours_mel, mel), "mfcc40": rel(ours_mfcc, mf)}
    print(f"torchaudio vs numpy port (max abs diff / max abs): {res}")
    for k, v in res.items():
        # torchaudio builds its Hann window and mel bank in float32 even in a .double() module,
        # so agreement is at float32 round-off, not 1e-12.
        assert v < 1e-5, f"numpy port disagrees with torchaudio on {k}: {v}"
    return res


# ---------------------------------------------------------------- main
def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {"generator": "reference/features_golden.py (numpy port of librosa 0.11, yin/pyin also 0.10)", "signals": {}, "arrays": {}, "scalars": {}, "crosscheck": {}}

    def put(name, arr, layout_fb=True):
        """Stores a librosa (bins, frames) array as emovox frames x bins float32."""
        a = np.asarray(arr, dtype=np.float64)
        if a.ndim == 1:
            a = a[None, :]
        m = a.T if layout_fb else a
        m = np.ascontiguousarray(m, dtype="<f4")
        m.tofile(os.path.join(OUT, name + ".f32"))
        manifest["arrays"][name] = {"frames": int(m.shape[0]), "bins": int(m.shape[1]), "maxAbs": float(np.max(np.abs(a[np.isfinite(a)])) if np.isfinite(a).any() else 0.0)}

    for name, (sr, y) in signals().items():
        y.astype("<f4").tofile(os.path.join(OUT, f"signal_{name}.f32"))
        manifest["signals"][name] = {"sr": sr, "samples": int(len(y))}
        y64 = y.astype(np.float64)
        Sc = stft(y64)
        S1 = np.abs(Sc)
        S2 = S1**2
        if name == "chirp":
            put(f"{name}_stft_mag_first8", S1[:, :8])  # full 1025-bin matrices would bloat the fixtures
        put(f"{name}_mel", melspectrogram(y64, sr))
        put(f"{name}_mfcc20", mfcc(y64, sr))
        put(f"{name}_mfcc40", mfcc(y64, sr, n_mfcc=40))
        mel_db = power_to_db(melspectrogram(y64, sr), ref="max")
        put(f"{name}_mel_db_refmax", mel_db)
        c0, _ = chroma_stft(y64, sr, tuning=0.0)
        put(f"{name}_chroma_t0", c0)
        cd, tun = chroma_stft(y64, sr)
        put(f"{name}_chroma_default", cd)
        manifest["scalars"][f"{name}_tuning_power"] = tun
        cm, tun_m = chroma_stft(S=S1, sr=sr)
        put(f"{name}_chroma_mag", cm)
        # tonnetz on chroma_stft(y) (power, emovox's default) and on vector180's |STFT| chroma;
        # librosa rounds chroma to float32 (its dtype) before tonnetz normalises it
        put(f"{name}_tonnetz", tonnetz(cd.astype(np.float32).astype(np.float64)))
        put(f"{name}_tonnetz_mag", tonnetz(cm.astype(np.float32).astype(np.float64)))
        manifest["scalars"][f"{name}_tuning_mag"] = tun_m
        put(f"{name}_centroid", spectral_centroid(S1, sr))
        put(f"{name}_bandwidth", spectral_bandwidth(S1, sr))
        put(f"{name}_rolloff", spectral_rolloff(S1, sr))
        put(f"{name}_flatness", spectral_flatness(S1))
        put(f"{name}_contrast", spectral_contrast(S1, sr))
        put(f"{name}_zcr", zero_crossing_rate(y64))
        put(f"{name}_rms", rms(y64))
        m20 = mfcc(y64, sr)
        put(f"{name}_mfcc20_delta1", delta(m20, order=1))
        put(f"{name}_mfcc20_delta2", delta(m20, order=2))
        if name == "chirp":
            put(f"{name}_amp_db_first8", amplitude_to_db(S1, ref="max")[:, :8])
        if name in ("vowel", "tone_noise", "chirp", "stress"):
            fmin, fmax = 65.40639132514966, 2093.004522404789
            if sr < 2 * fmax:
                fmax = sr / 2
            # librosa 0.11 (the default) and 0.10 (librosaCompat: '0.10')
            for version, suffix in (("0.11", ""), ("0.10", "_010")):
                put(f"{name}_yin{suffix}", yin(y64, fmin, fmax, sr, version=version))
                f0, vf, vp = pyin(y64, fmin, fmax, sr, version=version)
                put(f"{name}_pyin_f0{suffix}", np.nan_to_num(f0, nan=0.0))
                put(f"{name}_pyin_voiced{suffix}", vf.astype(np.float64))
                put(f"{name}_pyin_vprob{suffix}", vp)
        if sr == 22050:
            # the classic 1D-CNN recipe: 40 MFCC + 12 chroma (on |STFT|) + 128 mel (power) time means
            v180 = np.concatenate([np.mean(mfcc(y64, sr, n_mfcc=40).T, axis=0),
                                   np.mean(chroma_stft(S=S1, sr=sr)[0].T, axis=0),
                                   np.mean(melspectrogram(y64, sr).T, axis=0)])
            put(f"{name}_vector180", v180[None, :], layout_fb=False)
        if name == "vowel":
            put(f"{name}_mfcc20_lift22", mfcc(y64, sr, lifter=22))
            # functionals of mfcc20: per column mean, std, min, max, p10, p50, p90, slope; then on delta
            def funcs(M):  # M: (bins, frames)
                rows = []
                x = np.arange(M.shape[1])
                for c in M:
                    rows += [c.mean(), c.std(), c.min(), c.max(), *np.percentile(c, [10, 50, 90]), np.polyfit(x, c, 1)[0]]
                return rows
            put(f"{name}_mfcc20_functionals", np.array(funcs(m20) + funcs(delta(m20)))[None, :], layout_fb=False)
        manifest["crosscheck"][name] = torchaudio_crosscheck(y64, sr)
    # sequence: transition matrices and Viterbi decoding
    put("seq_uniform_4", transition_uniform(4), layout_fb=False)
    put("seq_loop_3", transition_loop(3, [0.8, 0.5, 0.25]), layout_fb=False)
    put("seq_cycle_4", transition_cycle(4, 0.9), layout_fb=False)
    put("seq_local_5_3", transition_local(5, 3), layout_fb=False)
    put("seq_local_5_3_wrap", transition_local(5, 3, wrap=True), layout_fb=False)
    put("seq_local_5_ones", transition_local(5, [1, 2, 3, 3, 1], window="ones"), layout_fb=False)
    put("seq_local_7_hann", transition_local(7, 5, window="hann"), layout_fb=False)
    # librosa's docstring example (Wikipedia's healthy/fever HMM): states [0, 0, 1], logp -4.1917
    wiki_prob = np.array([[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]])
    wiki_states, wiki_logp = viterbi(wiki_prob, np.array([[0.7, 0.3], [0.4, 0.6]]), np.array([0.6, 0.4]), True)
    manifest["scalars"]["viterbi_wiki"] = {"states": wiki_states.tolist(), "logp": wiki_logp}
    # a 6-state chain over 40 frames with LCG observation probabilities (rows of frames x states)
    obs = (lcg_noise(240, 4242) + 1) / 2
    obs = obs.reshape(40, 6).T
    trans = 0.5 * transition_local(6, 3) + 0.5 * transition_uniform(6)
    put("seq_viterbi_obs", obs)
    put("seq_viterbi_trans", trans, layout_fb=False)
    seq_states, seq_logp = viterbi(obs, trans, return_logp=True)
    manifest["scalars"]["viterbi_lcg"] = {"states": seq_states.tolist(), "logp": seq_logp}
    # filterbanks
    put("melfb_22050_2048_rows", mel_filter(22050, 2048)[[0, 1, 10, 64, 127]], layout_fb=False)
    put("melfb_16000_512_htk_40", mel_filter(16000, 512, n_mels=40, fmin=20.0, fmax=7600.0, htk=True, norm=None), layout_fb=False)
    put("chromafb_22050_2048", chroma_filter(22050, 2048), layout_fb=False)
    put("chromafb_16000_1024_t025", chroma_filter(16000, 1024, tuning=0.25), layout_fb=False)
    manifest["scalars"]["hz_to_mel"] = {str(f): float(hz_to_mel(f)) for f in [0.0, 440.0, 1000.0, 4000.0, 11025.0]}
    manifest["scalars"]["hz_to_mel_htk"] = {str(f): float(hz_to_mel(f, True)) for f in [0.0, 440.0, 1000.0, 4000.0]}
    with open(os.path.join(OUT, "golden.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(manifest['arrays'])} arrays, {total / 1e6:.2f} MB; torchaudio cross-check: {manifest['crosscheck']}")


if __name__ == "__main__":
    main()
