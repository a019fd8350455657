#!/bin/sh
# Regenerates the tiny committed fixtures in test/fixtures/audio/ (each < 20 KB) with sox, flac and
# ffmpeg, independent encoders that cross-check emovox's own parsers. Dev-time only.
# Usage: sh reference/audio_make_fixtures.sh
set -eu
out=test/fixtures/audio
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Reference: 0.3 s, 16 kHz, 16-bit mono 440 Hz sine at -6 dBFS (sox), and a 2-channel 440/660 Hz one.
sox -n -r 16000 -b 16 -c 1 "$out/sine440_s16.wav" synth 0.3 sine 440 vol 0.5
sox -n -r 16000 -b 16 -c 2 "$tmp/stereo.wav" synth 0.3 sine 440 sine 660 vol 0.5
# Lossless re-encodings of the same samples.
flac -s -f --no-padding -o "$out/sine440_s16.flac" "$out/sine440_s16.wav"
flac -s -f --no-padding -o "$out/stereo_s16.flac" "$tmp/stereo.wav"
sox "$out/sine440_s16.wav" "$out/sine440_s16be.aiff"
ffmpeg -v error -y -i "$out/sine440_s16.wav" -c:a pcm_s16le -f aiff "$out/sine440_sowt.aifc"
ffmpeg -v error -y -i "$out/sine440_s16.wav" -c:a pcm_f32be -f aiff "$out/sine440_fl32.aifc"
cp "$out/sine440_s16be.aiff" "$out/aiff_named_as.wav"
ffmpeg -v error -y -i "$out/sine440_s16.wav" -c:a pcm_s16le -rf64 always "$out/sine440_rf64.wav"
ffmpeg -v error -y -i "$tmp/stereo.wav" -t 0.1 -af "pan=3c|c0=c0|c1=c1|c2=c0" -c:a pcm_s24le "$out/three_ch_s24_extensible.wav"
ffmpeg -v error -y -i "$out/sine440_s16.wav" -c:a pcm_mulaw "$out/sine440_mulaw.wav"
ffmpeg -v error -y -i "$out/sine440_s16.wav" -c:a pcm_alaw "$out/sine440_alaw.wav"
# Lossy formats (checked by their tone, not sample by sample).
ffmpeg -v error -y -i "$out/sine440_s16.wav" -c:a libmp3lame -b:a 32k "$out/sine440.mp3"
ffmpeg -v error -y -i "$tmp/stereo.wav" -c:a libvorbis -q:a 0 "$out/stereo.ogg"
ffmpeg -v error -y -i "$out/sine440_s16.wav" -c:a libopus -b:a 24k "$out/sine440.opus"
# Formats emovox decodes only through ffmpeg.
ffmpeg -v error -y -i "$out/sine440_s16.wav" -c:a aac -b:a 32k "$out/sine440.m4a"
ffmpeg -v error -y -i "$out/sine440_s16.wav" -c:a adpcm_ms "$out/sine440_adpcm.wav"
ls -l "$out"
