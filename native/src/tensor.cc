// Tensor handle, creation, data transfer, elementwise/shape/reduction ops, autograd and
// runtime settings. The module entry point is at the bottom.
#include "common.h"

#include <ATen/Parallel.h>
#include <ATen/ScalarOps.h>

#include <cstring>
#include <functional>
#include <unordered_map>

namespace emovox {

std::atomic<int64_t> liveTensors{0};

static AddonData* Data(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

// ------------------------------------------------------------------ NativeTensor

Napi::Function NativeTensor::Define(Napi::Env env) {
  return DefineClass(env, "NativeTensor",
                     {
                         InstanceMethod<&NativeTensor::Shape>("shape"),
                         InstanceMethod<&NativeTensor::DType>("dtype"),
                         InstanceMethod<&NativeTensor::Device>("device"),
                         InstanceMethod<&NativeTensor::RequiresGrad>("requiresGrad"),
                         InstanceMethod<&NativeTensor::SetRequiresGrad>("setRequiresGrad"),
                         InstanceMethod<&NativeTensor::IsDisposed>("isDisposed"),
                         InstanceMethod<&NativeTensor::Dispose>("dispose"),
                     });
}

Napi::Object NativeTensor::New(Napi::Env env, at::Tensor tensor) {
  if (!tensor.defined()) throw Napi::Error::New(env, "internal: undefined tensor result");
  Napi::Object obj = Data(env)->tensorCtor.New({});
  Unwrap(obj)->set(std::move(tensor));
  return obj;
}

NativeTensor::NativeTensor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeTensor>(info) {}

NativeTensor::~NativeTensor() { reset(); }

const at::Tensor& NativeTensor::tensor(Napi::Env env) const {
  if (!tensor_.defined()) throw Napi::Error::New(env, "tensor used after dispose()");
  return tensor_;
}

void NativeTensor::set(at::Tensor tensor) {
  if (!tensor_.defined() && tensor.defined()) ++liveTensors;
  if (tensor_.defined() && !tensor.defined()) --liveTensors;
  tensor_ = std::move(tensor);
}

void NativeTensor::reset() {
  if (tensor_.defined()) --liveTensors;
  tensor_.reset();
}

static const char* DTypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kInt: return "int32";
    case at::kLong: return "int64";
    case at::kBool: return "bool";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    default: return "unsupported";
  }
}

static at::ScalarType ParseDType(Napi::Env env, const std::string& s) {
  if (s == "float32") return at::kFloat;
  if (s == "float64") return at::kDouble;
  if (s == "int32") return at::kInt;
  if (s == "int64") return at::kLong;
  if (s == "bool") return at::kBool;
  throw Napi::TypeError::New(env, "unknown dtype '" + s + "' (float32, float64, int32, int64, bool)");
}

Napi::Value NativeTensor::Shape(const Napi::CallbackInfo& info) {
  const auto& t = tensor(info.Env());
  auto arr = Napi::Array::New(info.Env(), t.dim());
  for (int64_t i = 0; i < t.dim(); ++i) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), double(t.size(i))));
  return arr;
}
Napi::Value NativeTensor::DType(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), DTypeName(tensor(info.Env()).scalar_type()));
}
Napi::Value NativeTensor::Device(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), tensor(info.Env()).device().str());
}
Napi::Value NativeTensor::RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensor(info.Env()).requires_grad());
}
Napi::Value NativeTensor::SetRequiresGrad(const Napi::CallbackInfo& info) {
  bool flag = ArgBool(info[0], "requiresGrad");
  tensor(info.Env());
  try {
    tensor_.set_requires_grad(flag);
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), e.what_without_backtrace());
  }
  return info.Env().Undefined();
}
Napi::Value NativeTensor::IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !tensor_.defined());
}
Napi::Value NativeTensor::Dispose(const Napi::CallbackInfo& info) {
  reset();
  return info.Env().Undefined();
}

// ------------------------------------------------------------------ argument helpers

static Napi::TypeError ArgError(const Napi::Value& v, const char* what, const char* expected) {
  return Napi::TypeError::New(v.Env(), std::string(what) + ": expected " + expected);
}

at::Tensor ArgTensor(const Napi::Value& v, const char* what) {
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(Data(v.Env())->tensorCtor.Value()))
    throw ArgError(v, what, "a tensor");
  return NativeTensor::Unwrap(v.As<Napi::Object>())->tensor(v.Env());
}

c10::optional<at::Tensor> ArgOptTensor(const Napi::Value& v, const char* what) {
  if (v.IsNull() || v.IsUndefined()) return c10::nullopt;
  return ArgTensor(v, what);
}

std::vector<at::Tensor> ArgTensorList(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw ArgError(v, what, "an array of tensors");
  auto arr = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) out.push_back(ArgTensor(arr.Get(i), what));
  return out;
}

std::vector<int64_t> ArgInts(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw ArgError(v, what, "an array of integers");
  auto arr = v.As<Napi::Array>();
  std::vector<int64_t> out;
  out.reserve(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) out.push_back(ArgInt(arr.Get(i), what));
  return out;
}

double ArgNumber(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw ArgError(v, what, "a number");
  return v.As<Napi::Number>().DoubleValue();
}

int64_t ArgInt(const Napi::Value& v, const char* what) {
  double d = ArgNumber(v, what);
  if (d != d || d != static_cast<double>(static_cast<int64_t>(d))) throw ArgError(v, what, "an integer");
  return static_cast<int64_t>(d);
}

bool ArgBool(const Napi::Value& v, const char* what) {
  if (!v.IsBoolean()) throw ArgError(v, what, "a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string ArgString(const Napi::Value& v, const char* what) {
  if (!v.IsString()) throw ArgError(v, what, "a string");
  return v.As<Napi::String>().Utf8Value();
}

static at::Device ArgDevice(const Napi::Value& v) { return at::Device(ArgString(v, "device")); }

// A JS number becomes a "wrapped number" 0-dim tensor, so type promotion follows Python scalars
// (int64 labels + 1 stays int64, float32 x * 0.5 stays float32).
static at::Tensor ArgOperand(const Napi::Value& v, const char* what) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    bool integral = d == static_cast<double>(static_cast<int64_t>(d)) && std::abs(d) < 9.007199254740992e15;
    return at::native::wrapped_scalar_tensor(integral ? at::Scalar(static_cast<int64_t>(d)) : at::Scalar(d));
  }
  return ArgTensor(v, what);
}

static Napi::Value Wrap(Napi::Env env, at::Tensor t) { return NativeTensor::New(env, std::move(t)); }

// ------------------------------------------------------------------ creation and data

static Napi::Value FromData(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "fromData: expected a typed array");
  auto arr = info[0].As<Napi::TypedArray>();
  auto shape = ArgInts(info[1], "shape");
  auto dtype = ParseDType(env, ArgString(info[2], "dtype"));
  auto device = ArgDevice(info[3]);
  bool requiresGrad = ArgBool(info[4], "requiresGrad");
  int64_t numel = 1;
  for (auto s : shape) {
    if (s < 0) throw Napi::RangeError::New(env, "fromData: negative size in shape");
    numel *= s;
  }
  size_t elem = at::elementSize(dtype);
  if (arr.ByteLength() != static_cast<size_t>(numel) * elem)
    throw Napi::RangeError::New(env, "fromData: data length does not match shape and dtype");
  auto t = at::empty(shape, at::TensorOptions().dtype(dtype));
  if (numel > 0) {
    auto* src = static_cast<uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
    std::memcpy(t.data_ptr(), src, arr.ByteLength());
  }
  if (device != at::kCPU) t = t.to(device);
  if (requiresGrad) t.set_requires_grad(true);
  return Wrap(env, t);
}

static Napi::Value ToData(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  at::Tensor t = ArgTensor(info[0], "tensor").detach().to(at::kCPU).contiguous();
  size_t bytes = t.numel() * t.element_size();
  auto buffer = Napi::ArrayBuffer::New(env, bytes);
  if (bytes > 0) std::memcpy(buffer.Data(), t.data_ptr(), bytes);
  size_t n = t.numel();
  switch (t.scalar_type()) {
    case at::kFloat: return Napi::Float32Array::New(env, n, buffer, 0);
    case at::kDouble: return Napi::Float64Array::New(env, n, buffer, 0);
    case at::kInt: return Napi::Int32Array::New(env, n, buffer, 0);
    case at::kLong: return Napi::BigInt64Array::New(env, n, buffer, 0);
    case at::kBool: return Napi::Uint8Array::New(env, n, buffer, 0);
    default: throw Napi::TypeError::New(env, std::string("toData: unsupported dtype ") + DTypeName(t.scalar_type()));
  }
}

static Napi::Value Item(const Napi::CallbackInfo& info) {
  at::Tensor t = ArgTensor(info[0], "tensor");
  if (t.numel() != 1) throw Napi::RangeError::New(info.Env(), "item(): tensor must have exactly one element");
  return Napi::Number::New(info.Env(), t.item().toDouble());
}

static at::TensorOptions Opts(const Napi::CallbackInfo& info, size_t dtypeArg, size_t deviceArg) {
  return at::TensorOptions().dtype(ParseDType(info.Env(), ArgString(info[dtypeArg], "dtype"))).device(ArgDevice(info[deviceArg]));
}

static Napi::Value Full(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::full(ArgInts(info[0], "shape"), ArgNumber(info[1], "value"), Opts(info, 2, 3)));
}
static Napi::Value Rand(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::rand(ArgInts(info[0], "shape"), Opts(info, 1, 2)));
}
static Napi::Value Randn(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::randn(ArgInts(info[0], "shape"), Opts(info, 1, 2)));
}
static Napi::Value Randint(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::randint(ArgInt(info[0], "low"), ArgInt(info[1], "high"), ArgInts(info[2], "shape"),
                                      at::TensorOptions().dtype(at::kLong).device(ArgDevice(info[3]))));
}
static Napi::Value Randperm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::randperm(ArgInt(info[0], "n"), at::TensorOptions().dtype(at::kLong).device(ArgDevice(info[1]))));
}
static Napi::Value Arange(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::arange(ArgNumber(info[0], "start"), ArgNumber(info[1], "end"), ArgNumber(info[2], "step"),
                                     Opts(info, 3, 4)));
}
static Napi::Value Eye(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::eye(ArgInt(info[0], "n"), Opts(info, 1, 2)));
}

// ------------------------------------------------------------------ elementwise

using UnaryFn = at::Tensor (*)(const at::Tensor&);
using BinaryFn = at::Tensor (*)(const at::Tensor&, const at::Tensor&);

static const std::unordered_map<std::string, std::function<at::Tensor(const at::Tensor&)>>& UnaryOps() {
  static const std::unordered_map<std::string, std::function<at::Tensor(const at::Tensor&)>> ops = {
      {"neg", [](const at::Tensor& t) { return at::neg(t); }},
      {"abs", [](const at::Tensor& t) { return at::abs(t); }},
      {"exp", [](const at::Tensor& t) { return at::exp(t); }},
      {"log", [](const at::Tensor& t) { return at::log(t); }},
      {"log1p", [](const at::Tensor& t) { return at::log1p(t); }},
      {"sqrt", [](const at::Tensor& t) { return at::sqrt(t); }},
      {"rsqrt", [](const at::Tensor& t) { return at::rsqrt(t); }},
      {"square", [](const at::Tensor& t) { return at::square(t); }},
      {"reciprocal", [](const at::Tensor& t) { return at::reciprocal(t); }},
      {"sin", [](const at::Tensor& t) { return at::sin(t); }},
      {"cos", [](const at::Tensor& t) { return at::cos(t); }},
      {"sign", [](const at::Tensor& t) { return at::sign(t); }},
      {"floor", [](const at::Tensor& t) { return at::floor(t); }},
      {"ceil", [](const at::Tensor& t) { return at::ceil(t); }},
      {"round", [](const at::Tensor& t) { return at::round(t); }},
      {"erf", [](const at::Tensor& t) { return at::erf(t); }},
      {"relu", [](const at::Tensor& t) { return at::relu(t); }},
      {"sigmoid", [](const at::Tensor& t) { return at::sigmoid(t); }},
      {"tanh", [](const at::Tensor& t) { return at::tanh(t); }},
      {"silu", [](const at::Tensor& t) { return at::silu(t); }},
      {"logical_not", [](const at::Tensor& t) { return at::logical_not(t); }},
  };
  return ops;
}

static const std::unordered_map<std::string, BinaryFn>& BinaryOps() {
  static const std::unordered_map<std::string, BinaryFn> ops = {
      {"add", [](const at::Tensor& a, const at::Tensor& b) { return at::add(a, b); }},
      {"sub", [](const at::Tensor& a, const at::Tensor& b) { return at::sub(a, b); }},
      {"mul", [](const at::Tensor& a, const at::Tensor& b) { return at::mul(a, b); }},
      {"div", [](const at::Tensor& a, const at::Tensor& b) { return at::div(a, b); }},
      {"pow", [](const at::Tensor& a, const at::Tensor& b) { return at::pow(a, b); }},
      {"remainder", [](const at::Tensor& a, const at::Tensor& b) { return at::remainder(a, b); }},
      {"floor_divide", [](const at::Tensor& a, const at::Tensor& b) { return at::div(a, b, "floor"); }},
      {"maximum", [](const at::Tensor& a, const at::Tensor& b) { return at::maximum(a, b); }},
      {"minimum", [](const at::Tensor& a, const at::Tensor& b) { return at::minimum(a, b); }},
      {"eq", [](const at::Tensor& a, const at::Tensor& b) { return at::eq(a, b); }},
      {"ne", [](const at::Tensor& a, const at::Tensor& b) { return at::ne(a, b); }},
      {"gt", [](const at::Tensor& a, const at::Tensor& b) { return at::gt(a, b); }},
      {"ge", [](const at::Tensor& a, const at::Tensor& b) { return at::ge(a, b); }},
      {"lt", [](const at::Tensor& a, const at::Tensor& b) { return at::lt(a, b); }},
      {"le", [](const at::Tensor& a, const at::Tensor& b) { return at::le(a, b); }},
      {"logical_and", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_and(a, b); }},
      {"logical_or", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_or(a, b); }},
  };
  return ops;
}

static Napi::Value Unary(const Napi::CallbackInfo& info) {
  auto name = ArgString(info[0], "op");
  auto it = UnaryOps().find(name);
  if (it == UnaryOps().end()) throw Napi::TypeError::New(info.Env(), "unknown unary op '" + name + "'");
  return Wrap(info.Env(), it->second(ArgTensor(info[1], name.c_str())));
}

static Napi::Value Binary(const Napi::CallbackInfo& info) {
  auto name = ArgString(info[0], "op");
  auto it = BinaryOps().find(name);
  if (it == BinaryOps().end()) throw Napi::TypeError::New(info.Env(), "unknown binary op '" + name + "'");
  if (info[1].IsNumber() && info[2].IsNumber())
    throw Napi::TypeError::New(info.Env(), name + ": at least one operand must be a tensor");
  return Wrap(info.Env(), it->second(ArgOperand(info[1], name.c_str()), ArgOperand(info[2], name.c_str())));
}

// In-place initialisation / loading, outside autograd (like torch.no_grad() + x.uniform_()).
static Napi::Value Inplace(const Napi::CallbackInfo& info) {
  auto name = ArgString(info[0], "op");
  at::Tensor t = ArgTensor(info[1], name.c_str());
  at::NoGradGuard guard;
  if (name == "uniform") t.uniform_(ArgNumber(info[2], "low"), ArgNumber(info[3], "high"));
  else if (name == "normal") t.normal_(ArgNumber(info[2], "mean"), ArgNumber(info[3], "std"));
  else if (name == "fill") t.fill_(ArgNumber(info[2], "value"));
  else if (name == "copy") t.copy_(ArgTensor(info[2], "src"));
  else throw Napi::TypeError::New(info.Env(), "unknown in-place op '" + name + "'");
  return info.Env().Undefined();
}

static Napi::Value To(const Napi::CallbackInfo& info) {
  at::Tensor t = ArgTensor(info[0], "tensor");
  return Wrap(info.Env(), t.to(ArgDevice(info[2]), ParseDType(info.Env(), ArgString(info[1], "dtype"))));
}
static Napi::Value Clone(const Napi::CallbackInfo& info) { return Wrap(info.Env(), ArgTensor(info[0], "tensor").clone()); }
static Napi::Value Detach(const Napi::CallbackInfo& info) { return Wrap(info.Env(), ArgTensor(info[0], "tensor").detach()); }
static Napi::Value Contiguous(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), ArgTensor(info[0], "tensor").contiguous());
}

// ------------------------------------------------------------------ shape ops

static Napi::Value Reshape(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), ArgTensor(info[0], "reshape").reshape(ArgInts(info[1], "shape")));
}
static Napi::Value View(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), ArgTensor(info[0], "view").view(ArgInts(info[1], "shape")));
}
static Napi::Value Permute(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), ArgTensor(info[0], "permute").permute(ArgInts(info[1], "dims")));
}
static Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), ArgTensor(info[0], "transpose").transpose(ArgInt(info[1], "dim0"), ArgInt(info[2], "dim1")));
}
static Napi::Value Expand(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), ArgTensor(info[0], "expand").expand(ArgInts(info[1], "shape")));
}
static Napi::Value Flatten(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), ArgTensor(info[0], "flatten").flatten(ArgInt(info[1], "startDim"), ArgInt(info[2], "endDim")));
}
static Napi::Value Squeeze(const Napi::CallbackInfo& info) {
  at::Tensor t = ArgTensor(info[0], "squeeze");
  return Wrap(info.Env(), info[1].IsNull() ? t.squeeze() : t.squeeze(ArgInt(info[1], "dim")));
}
static Napi::Value Unsqueeze(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), ArgTensor(info[0], "unsqueeze").unsqueeze(ArgInt(info[1], "dim")));
}
static Napi::Value Cat(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::cat(ArgTensorList(info[0], "cat"), ArgInt(info[1], "dim")));
}
static Napi::Value Stack(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::stack(ArgTensorList(info[0], "stack"), ArgInt(info[1], "dim")));
}
static Napi::Value Slice(const Napi::CallbackInfo& info) {
  int64_t step = ArgInt(info[4], "step");
  if (step < 1) throw Napi::RangeError::New(info.Env(), "slice: step must be >= 1");
  return Wrap(info.Env(), at::slice(ArgTensor(info[0], "slice"), ArgInt(info[1], "dim"), ArgInt(info[2], "start"),
                                    ArgInt(info[3], "end"), step));
}
static Napi::Value IndexSelect(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::index_select(ArgTensor(info[0], "indexSelect"), ArgInt(info[1], "dim"), ArgTensor(info[2], "index")));
}
static Napi::Value Gather(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::gather(ArgTensor(info[0], "gather"), ArgInt(info[1], "dim"), ArgTensor(info[2], "index")));
}

// ------------------------------------------------------------------ reductions

static Napi::Value Reduce(const Napi::CallbackInfo& info) {
  auto name = ArgString(info[0], "op");
  at::Tensor t = ArgTensor(info[1], name.c_str());
  bool keepdim = ArgBool(info[3], "keepdim");
  std::vector<int64_t> dims;
  if (info[2].IsNull()) {
    for (int64_t i = 0; i < t.dim(); ++i) dims.push_back(i);
  } else {
    dims = ArgInts(info[2], "dims");
  }
  at::Tensor r;
  if (name == "sum") r = at::sum(t, dims, keepdim);
  else if (name == "mean") r = at::mean(t, dims, keepdim);
  else if (name == "var") r = at::var(t, at::OptionalIntArrayRef(dims), true, keepdim);
  else if (name == "std") r = at::std(t, at::OptionalIntArrayRef(dims), true, keepdim);
  else if (name == "logsumexp") r = at::logsumexp(t, dims, keepdim);
  else if (name == "amax") r = at::amax(t, dims, keepdim);
  else if (name == "amin") r = at::amin(t, dims, keepdim);
  else if (name == "norm") r = at::linalg_vector_norm(t, 2, at::OptionalIntArrayRef(dims), keepdim);
  else {
    throw Napi::TypeError::New(info.Env(), "unknown reduction '" + name + "'");
  }
  return Wrap(info.Env(), r);
}

static Napi::Value PairOf(Napi::Env env, std::tuple<at::Tensor, at::Tensor> p) {
  auto arr = Napi::Array::New(env, 2);
  arr.Set(0u, Wrap(env, std::get<0>(p)));
  arr.Set(1u, Wrap(env, std::get<1>(p)));
  return arr;
}
static Napi::Value MaxDim(const Napi::CallbackInfo& info) {
  return PairOf(info.Env(), at::max(ArgTensor(info[0], "max"), ArgInt(info[1], "dim"), ArgBool(info[2], "keepdim")));
}
static Napi::Value MinDim(const Napi::CallbackInfo& info) {
  return PairOf(info.Env(), at::min(ArgTensor(info[0], "min"), ArgInt(info[1], "dim"), ArgBool(info[2], "keepdim")));
}
static Napi::Value Argmax(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::argmax(ArgTensor(info[0], "argmax"), ArgInt(info[1], "dim"), ArgBool(info[2], "keepdim")));
}

// ------------------------------------------------------------------ autograd

static Napi::Value Backward(const Napi::CallbackInfo& info) {
  at::Tensor t = ArgTensor(info[0], "backward");
  auto grad = ArgOptTensor(info[1], "gradient");
  t.backward(grad.value_or(at::Tensor()), ArgBool(info[2], "retainGraph"), false);
  return info.Env().Undefined();
}
static Napi::Value Grad(const Napi::CallbackInfo& info) {
  at::Tensor g = ArgTensor(info[0], "grad").grad();
  if (!g.defined()) return info.Env().Null();
  return Wrap(info.Env(), g);
}
static Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
  at::Tensor t = ArgTensor(info[0], "zeroGrad");
  bool setToNone = ArgBool(info[1], "setToNone");
  auto& g = t.mutable_grad();
  if (g.defined()) {
    if (setToNone) {
      g.reset();
    } else {
      g = g.detach();
      g.zero_();
    }
  }
  return info.Env().Undefined();
}
static Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  at::GradMode::set_enabled(ArgBool(info[0], "flag"));
  return info.Env().Undefined();
}
static Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

// ------------------------------------------------------------------ runtime

static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  at::manual_seed(static_cast<uint64_t>(ArgInt(info[0], "seed")));
  return info.Env().Undefined();
}
static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(static_cast<int>(ArgInt(info[0], "n")));
  return info.Env().Undefined();
}
static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}
static Napi::Value SetNumInteropThreads(const Napi::CallbackInfo& info) {
  at::set_num_interop_threads(static_cast<int>(ArgInt(info[0], "n")));
  return info.Env().Undefined();
}
static Napi::Value GetNumInteropThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_interop_threads());
}
static Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(liveTensors.load()));
}

void RegisterTensorOps(Napi::Env env, Napi::Object e) {
  Export<FromData>(env, e, "fromData");
  Export<ToData>(env, e, "toData");
  Export<Item>(env, e, "item");
  Export<Full>(env, e, "full");
  Export<Rand>(env, e, "rand");
  Export<Randn>(env, e, "randn");
  Export<Randint>(env, e, "randint");
  Export<Randperm>(env, e, "randperm");
  Export<Arange>(env, e, "arange");
  Export<Eye>(env, e, "eye");
  Export<Unary>(env, e, "unary");
  Export<Binary>(env, e, "binary");
  Export<Inplace>(env, e, "inplace");
  Export<To>(env, e, "to");
  Export<Clone>(env, e, "clone");
  Export<Detach>(env, e, "detach");
  Export<Contiguous>(env, e, "contiguous");
  Export<Reshape>(env, e, "reshape");
  Export<View>(env, e, "view");
  Export<Permute>(env, e, "permute");
  Export<Transpose>(env, e, "transpose");
  Export<Expand>(env, e, "expand");
  Export<Flatten>(env, e, "flatten");
  Export<Squeeze>(env, e, "squeeze");
  Export<Unsqueeze>(env, e, "unsqueeze");
  Export<Cat>(env, e, "cat");
  Export<Stack>(env, e, "stack");
  Export<Slice>(env, e, "slice");
  Export<IndexSelect>(env, e, "indexSelect");
  Export<Gather>(env, e, "gather");
  Export<Reduce>(env, e, "reduce");
  Export<MaxDim>(env, e, "maxDim");
  Export<MinDim>(env, e, "minDim");
  Export<Argmax>(env, e, "argmax");
  Export<Backward>(env, e, "backward");
  Export<Grad>(env, e, "grad");
  Export<ZeroGrad>(env, e, "zeroGrad");
  Export<SetGradEnabled>(env, e, "setGradEnabled");
  Export<IsGradEnabled>(env, e, "isGradEnabled");
  Export<ManualSeed>(env, e, "manualSeed");
  Export<SetNumThreads>(env, e, "setNumThreads");
  Export<GetNumThreads>(env, e, "getNumThreads");
  Export<SetNumInteropThreads>(env, e, "setNumInteropThreads");
  Export<GetNumInteropThreads>(env, e, "getNumInteropThreads");
  Export<LiveTensors>(env, e, "liveTensors");
}

}  // namespace emovox

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  using namespace emovox;
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  data->tensorCtor = Napi::Persistent(NativeTensor::Define(env));
  RegisterTensorOps(env, exports);
  RegisterNnOps(env, exports);
  RegisterOptim(env, exports);
  return exports;
}

NODE_API_MODULE(emovox_torch, InitAddon)
