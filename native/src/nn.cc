// Neural-network ops: layers, pooling, recurrent nets, activations with parameters, losses.
#include "common.h"

#include <ATen/ScalarOps.h>

namespace emovox {

static Napi::Value Wrap(Napi::Env env, at::Tensor t) { return NativeTensor::New(env, std::move(t)); }

static at::Tensor Operand(const Napi::Value& v, const char* what) {
  if (v.IsNumber()) return at::native::wrapped_scalar_tensor(at::Scalar(v.As<Napi::Number>().DoubleValue()));
  return ArgTensor(v, what);
}

static Napi::Value Matmul(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::matmul(ArgTensor(info[0], "matmul"), ArgTensor(info[1], "matmul")));
}
static Napi::Value Clamp(const Napi::CallbackInfo& info) {
  at::Tensor t = ArgTensor(info[0], "clamp");
  c10::optional<at::Scalar> lo, hi;
  if (!info[1].IsNull()) lo = ArgNumber(info[1], "min");
  if (!info[2].IsNull()) hi = ArgNumber(info[2], "max");
  return Wrap(info.Env(), at::clamp(t, lo, hi));
}
static Napi::Value Where(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::where(ArgTensor(info[0], "where"), Operand(info[1], "where"), Operand(info[2], "where")));
}
static Napi::Value MaskedFill(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::masked_fill(ArgTensor(info[0], "maskedFill"), ArgTensor(info[1], "mask"), ArgNumber(info[2], "value")));
}
static Napi::Value Elu(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::elu(ArgTensor(info[0], "elu"), ArgNumber(info[1], "alpha")));
}
static Napi::Value LeakyRelu(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::leaky_relu(ArgTensor(info[0], "leakyRelu"), ArgNumber(info[1], "slope")));
}
static Napi::Value Gelu(const Napi::CallbackInfo& info) {
  auto approx = ArgString(info[1], "approximate");
  if (approx != "none" && approx != "tanh") throw Napi::TypeError::New(info.Env(), "gelu: approximate must be none or tanh");
  return Wrap(info.Env(), at::gelu(ArgTensor(info[0], "gelu"), approx));
}
static Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::softmax(ArgTensor(info[0], "softmax"), ArgInt(info[1], "dim")));
}
static Napi::Value LogSoftmax(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::log_softmax(ArgTensor(info[0], "logSoftmax"), ArgInt(info[1], "dim")));
}
static Napi::Value Pad(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::constant_pad_nd(ArgTensor(info[0], "pad"), ArgInts(info[1], "pad"), ArgNumber(info[2], "value")));
}

static Napi::Value Linear(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::linear(ArgTensor(info[0], "linear"), ArgTensor(info[1], "weight"), ArgOptTensor(info[2], "bias")));
}
static Napi::Value Conv1d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::conv1d(ArgTensor(info[0], "conv1d"), ArgTensor(info[1], "weight"), ArgOptTensor(info[2], "bias"),
                                     ArgInts(info[3], "stride"), ArgInts(info[4], "padding"), ArgInts(info[5], "dilation"),
                                     ArgInt(info[6], "groups")));
}
static Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::conv2d(ArgTensor(info[0], "conv2d"), ArgTensor(info[1], "weight"), ArgOptTensor(info[2], "bias"),
                                     ArgInts(info[3], "stride"), ArgInts(info[4], "padding"), ArgInts(info[5], "dilation"),
                                     ArgInt(info[6], "groups")));
}
static Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::batch_norm(ArgTensor(info[0], "batchNorm"), ArgOptTensor(info[1], "weight"),
                                         ArgOptTensor(info[2], "bias"), ArgOptTensor(info[3], "runningMean"),
                                         ArgOptTensor(info[4], "runningVar"), ArgBool(info[5], "training"),
                                         ArgNumber(info[6], "momentum"), ArgNumber(info[7], "eps"), true));
}
static Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::layer_norm(ArgTensor(info[0], "layerNorm"), ArgInts(info[1], "normalizedShape"),
                                         ArgOptTensor(info[2], "weight"), ArgOptTensor(info[3], "bias"),
                                         ArgNumber(info[4], "eps"), true));
}
static Napi::Value Dropout(const Napi::CallbackInfo& info) {
  double p = ArgNumber(info[1], "p");
  if (!(p >= 0 && p <= 1)) throw Napi::RangeError::New(info.Env(), "dropout: p must be in [0, 1]");
  at::Tensor x = ArgTensor(info[0], "dropout");
  if (!ArgBool(info[2], "training") || p == 0) return Wrap(info.Env(), x);
  if (p == 1) return Wrap(info.Env(), x.mul(0));
  // at::dropout draws its mask with bernoulli_, a serial per-element draw in this libtorch that
  // costs 3x a uniform draw: on a cnn1d training step the two dropouts took 18 % of the time.
  // A uniform below 1 - p is the same Bernoulli(1 - p) keep mask, from the same generator.
  const double keep = 1 - p;
  at::Tensor scale = at::rand_like(x).lt_(keep).to(x.scalar_type()).mul_(1 / keep);
  return Wrap(info.Env(), x.mul(scale));
}

// Max over dimension `dim` of `v` as running a + relu(b - a): elementwise ops whose backward is
// vectorised, where libtorch 1.13's max_pool with indices (needed for the backward) runs a
// scalar kernel (forward + backward on [32, 128, 180], window 2: 4.1 ms against 1.9 ms for these
// ops, one thread). Ties go to the earlier element, as in
// max_pool. The value can differ from max(a, b) by the roundings of b - a and a + (b - a), at
// most ~2^-24 (|b - a| + |b|) (none when a and b are within a factor 2 of each other), so it is
// used only while a gradient is recorded; inference runs max_pool itself.
static at::Tensor MaxAlong(const at::Tensor& v, int64_t dim) {
  auto parts = v.unbind(dim);
  at::Tensor m = parts[0];
  for (size_t i = 1; i < parts.size(); i++) m = m + at::relu(parts[i] - m);
  return m;
}

// Non-overlapping max pooling (stride == kernel, no padding, sizes divisible by the kernel) while
// recording gradients: the common CNN case, computed with MaxAlong. Windows wider than 8 are left
// to max_pool (each element of a window adds three ops here). Returns an undefined tensor when
// the pooling is not of that kind.
static at::Tensor TiledMaxPool(const at::Tensor& x, const std::vector<int64_t>& k, const std::vector<int64_t>& s,
                               const std::vector<int64_t>& p) {
  const int64_t n = static_cast<int64_t>(k.size());
  const int64_t lead = x.dim() - n;
  if (!(at::GradMode::is_enabled() && x.requires_grad()) || lead < 1) return {};
  for (int64_t i = 0; i < n; i++) {
    if (s[i] != k[i] || p[i] != 0 || k[i] > 8 || x.size(lead + i) % k[i] != 0) return {};
  }
  // [..., H, W] -> [..., H / kh, kh, W / kw, kw], then reduce the window dims from the last one
  // so that the earlier ones keep their positions.
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().begin() + lead);
  for (int64_t i = 0; i < n; i++) {
    shape.push_back(x.size(lead + i) / k[i]);
    shape.push_back(k[i]);
  }
  at::Tensor v = x.contiguous().view(shape);
  for (int64_t i = n - 1; i >= 0; i--) v = MaxAlong(v, lead + 2 * i + 1);
  return v;
}

static Napi::Value Pool(const Napi::CallbackInfo& info) {
  auto kind = ArgString(info[0], "kind");
  at::Tensor x = ArgTensor(info[1], "pool");
  auto k = ArgInts(info[2], "kernel");
  auto s = ArgInts(info[3], "stride");
  auto p = ArgInts(info[4], "padding");
  bool ceil = ArgBool(info[5], "ceilMode");
  at::Tensor r;
  if (kind == "max1d" || kind == "max2d") {
    const size_t dims = kind == "max2d" ? 2 : 1;
    if (k.size() == dims && s.size() == dims && p.size() == dims) r = TiledMaxPool(x, k, s, p);
    if (!r.defined()) r = dims == 1 ? at::max_pool1d(x, k, s, p, {1}, ceil) : at::max_pool2d(x, k, s, p, {1, 1}, ceil);
  } else if (kind == "avg1d") r = at::avg_pool1d(x, k, s, p, ceil, true);
  else if (kind == "avg2d") r = at::avg_pool2d(x, k, s, p, ceil, true, c10::nullopt);
  else throw Napi::TypeError::New(info.Env(), "unknown pooling '" + kind + "'");
  return Wrap(info.Env(), r);
}
static Napi::Value AdaptivePool(const Napi::CallbackInfo& info) {
  auto kind = ArgString(info[0], "kind");
  at::Tensor x = ArgTensor(info[1], "adaptivePool");
  auto size = ArgInts(info[2], "outputSize");
  at::Tensor r;
  if (kind == "avg1d") r = at::adaptive_avg_pool1d(x, size);
  else if (kind == "avg2d") r = at::adaptive_avg_pool2d(x, size);
  else if (kind == "max1d") r = std::get<0>(at::adaptive_max_pool1d(x, size));
  else if (kind == "max2d") r = std::get<0>(at::adaptive_max_pool2d(x, size));
  else throw Napi::TypeError::New(info.Env(), "unknown adaptive pooling '" + kind + "'");
  return Wrap(info.Env(), r);
}
static Napi::Value Embedding(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::embedding(ArgTensor(info[0], "weight"), ArgTensor(info[1], "indices"),
                                        ArgInt(info[2], "paddingIdx"), false, false));
}

static Napi::Value Lstm(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  at::Tensor x = ArgTensor(info[0], "lstm");
  std::vector<at::Tensor> hx = {ArgTensor(info[1], "h0"), ArgTensor(info[2], "c0")};
  auto params = ArgTensorList(info[3], "params");
  auto r = at::lstm(x, hx, params, ArgBool(info[4], "hasBiases"), ArgInt(info[5], "numLayers"), ArgNumber(info[6], "dropout"),
                    ArgBool(info[7], "training"), ArgBool(info[8], "bidirectional"), ArgBool(info[9], "batchFirst"));
  auto arr = Napi::Array::New(env, 3);
  arr.Set(0u, Wrap(env, std::get<0>(r)));
  arr.Set(1u, Wrap(env, std::get<1>(r)));
  arr.Set(2u, Wrap(env, std::get<2>(r)));
  return arr;
}
static Napi::Value Gru(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto r = at::gru(ArgTensor(info[0], "gru"), ArgTensor(info[1], "h0"), ArgTensorList(info[2], "params"),
                   ArgBool(info[3], "hasBiases"), ArgInt(info[4], "numLayers"), ArgNumber(info[5], "dropout"),
                   ArgBool(info[6], "training"), ArgBool(info[7], "bidirectional"), ArgBool(info[8], "batchFirst"));
  auto arr = Napi::Array::New(env, 2);
  arr.Set(0u, Wrap(env, std::get<0>(r)));
  arr.Set(1u, Wrap(env, std::get<1>(r)));
  return arr;
}

static Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  double smoothing = ArgNumber(info[5], "labelSmoothing");
  if (!(smoothing >= 0 && smoothing <= 1)) throw Napi::RangeError::New(info.Env(), "crossEntropy: labelSmoothing must be in [0, 1]");
  return Wrap(info.Env(), at::cross_entropy_loss(ArgTensor(info[0], "logits"), ArgTensor(info[1], "target"),
                                                 ArgOptTensor(info[2], "weight"), ArgInt(info[3], "reduction"),
                                                 ArgInt(info[4], "ignoreIndex"), smoothing));
}
static Napi::Value BceWithLogits(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::binary_cross_entropy_with_logits(ArgTensor(info[0], "logits"), ArgTensor(info[1], "target"),
                                                               ArgOptTensor(info[2], "weight"), ArgOptTensor(info[3], "posWeight"),
                                                               ArgInt(info[4], "reduction")));
}
static Napi::Value MseLoss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::mse_loss(ArgTensor(info[0], "input"), ArgTensor(info[1], "target"), ArgInt(info[2], "reduction")));
}
static Napi::Value NllLoss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::nll_loss_nd(ArgTensor(info[0], "logProbs"), ArgTensor(info[1], "target"),
                                          ArgOptTensor(info[2], "weight"), ArgInt(info[3], "reduction"),
                                          ArgInt(info[4], "ignoreIndex")));
}

void RegisterNnOps(Napi::Env env, Napi::Object e) {
  Export<Matmul>(env, e, "matmul");
  Export<Clamp>(env, e, "clamp");
  Export<Where>(env, e, "where");
  Export<MaskedFill>(env, e, "maskedFill");
  Export<Elu>(env, e, "elu");
  Export<LeakyRelu>(env, e, "leakyRelu");
  Export<Gelu>(env, e, "gelu");
  Export<Softmax>(env, e, "softmax");
  Export<LogSoftmax>(env, e, "logSoftmax");
  Export<Pad>(env, e, "pad");
  Export<Linear>(env, e, "linear");
  Export<Conv1d>(env, e, "conv1d");
  Export<Conv2d>(env, e, "conv2d");
  Export<BatchNorm>(env, e, "batchNorm");
  Export<LayerNorm>(env, e, "layerNorm");
  Export<Dropout>(env, e, "dropout");
  Export<Pool>(env, e, "pool");
  Export<AdaptivePool>(env, e, "adaptivePool");
  Export<Embedding>(env, e, "embedding");
  Export<Lstm>(env, e, "lstm");
  Export<Gru>(env, e, "gru");
  Export<CrossEntropy>(env, e, "crossEntropy");
  Export<BceWithLogits>(env, e, "bceWithLogits");
  Export<MseLoss>(env, e, "mseLoss");
  Export<NllLoss>(env, e, "nllLoss");
}

}  // namespace emovox
