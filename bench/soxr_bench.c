/* libsoxr side of `npm run bench:pipeline` (dev-time baseline, never part of the package:
 * libsoxr is LGPL). Built by bench/pipeline.ts with the system compiler against Debian's
 * libsoxr-dev into .bench/ (ignored by git):
 *   cc -O2 -o .bench/soxr_bench bench/soxr_bench.c -lsoxr
 *
 * Usage: soxr_bench AUDIO.f32 LENGTHS.i32 RATE_IN RATE_OUT QUALITY REPS
 *   AUDIO.f32: the clips concatenated (float32, native endian); LENGTHS.i32: samples per clip;
 *   QUALITY: LQ | MQ | HQ | VHQ.
 * Resamples every clip on its own with soxr_oneshot (one thread: what python-soxr and
 * librosa's res_type='soxr_hq' do per call), REPS times, and prints one JSON line per repetition:
 *   {"cpuSeconds": S, "samplesOut": N, "checksum": C}
 * CPU time is CLOCK_PROCESS_CPUTIME_ID around the resampling only. */
#include <soxr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *read_all(const char *path, size_t *bytes) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *buf = malloc(n > 0 ? (size_t)n : 1);
  if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    perror(path);
    exit(2);
  }
  fclose(f);
  *bytes = (size_t)n;
  return buf;
}

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s AUDIO.f32 LENGTHS.i32 RATE_IN RATE_OUT LQ|MQ|HQ|VHQ REPS\n", argv[0]);
    return 2;
  }
  size_t audio_bytes, length_bytes;
  float *audio = read_all(argv[1], &audio_bytes);
  int *lengths = read_all(argv[2], &length_bytes);
  size_t clips = length_bytes / sizeof(int);
  double rate_in = atof(argv[3]), rate_out = atof(argv[4]);
  unsigned long recipe = strcmp(argv[5], "LQ") == 0   ? SOXR_LQ
                         : strcmp(argv[5], "MQ") == 0 ? SOXR_MQ
                         : strcmp(argv[5], "VHQ") == 0 ? SOXR_VHQ
                                                       : SOXR_HQ;
  int reps = atoi(argv[6]);
  size_t longest = 0;
  for (size_t c = 0; c < clips; c++)
    if ((size_t)lengths[c] > longest) longest = (size_t)lengths[c];
  size_t out_capacity = (size_t)(longest * (rate_out / rate_in)) + 64;
  float *out = malloc(out_capacity * sizeof(float));
  soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  soxr_quality_spec_t quality = soxr_quality_spec(recipe, 0);
  soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
  for (int r = 0; r < reps; r++) {
    double checksum = 0;
    size_t total_out = 0;
    const float *in = audio;
    double start = cpu_now();
    for (size_t c = 0; c < clips; c++) {
      size_t done_in = 0, done_out = 0;
      soxr_error_t error = soxr_oneshot(rate_in, rate_out, 1, in, (size_t)lengths[c], &done_in, out,
                                        out_capacity, &done_out, &io, &quality, &runtime);
      if (error) {
        fprintf(stderr, "soxr: %s\n", error);
        return 1;
      }
      total_out += done_out;
      checksum += done_out ? out[done_out / 2] : 0;
      in += lengths[c];
    }
    double used = cpu_now() - start;
    printf("{\"cpuSeconds\": %.6f, \"samplesOut\": %zu, \"checksum\": %.9g}\n", used, total_out, checksum);
    fflush(stdout);
  }
  free(out);
  free(audio);
  free(lengths);
  return 0;
}
