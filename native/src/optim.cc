// Optimizers, gradient clipping, CUDA queries and version: the only translation unit that needs
// the (heavy) libtorch C++ frontend headers.
#include "common.h"

#include <torch/types.h>
#include <torch/cuda.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>
#include <torch/version.h>

#include <memory>

namespace emovox {

class NativeOptimizer : public Napi::ObjectWrap<NativeOptimizer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeOptimizer",
                       {
                           InstanceMethod<&NativeOptimizer::Step>("step"),
                           InstanceMethod<&NativeOptimizer::ZeroGrad>("zeroGrad"),
                           InstanceMethod<&NativeOptimizer::SetLr>("setLr"),
                           InstanceMethod<&NativeOptimizer::GetLr>("getLr"),
                           InstanceMethod<&NativeOptimizer::GetState>("getState"),
                           InstanceMethod<&NativeOptimizer::SetState>("setState"),
                           InstanceMethod<&NativeOptimizer::Dispose>("dispose"),
                       });
  }
  explicit NativeOptimizer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeOptimizer>(info) {}
  void set(std::string kind, std::unique_ptr<torch::optim::Optimizer> opt) {
    kind_ = std::move(kind);
    opt_ = std::move(opt);
  }

 private:
  torch::optim::Optimizer& Get(Napi::Env env) {
    if (!opt_) throw Napi::Error::New(env, "optimizer used after dispose()");
    return *opt_;
  }
  template <typename F>
  Napi::Value Run(const Napi::CallbackInfo& info, F f) {
    try {
      f(Get(info.Env()));
    } catch (const Napi::Error&) {
      throw;
    } catch (const c10::Error& e) {
      throw Napi::Error::New(info.Env(), e.what_without_backtrace());
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
    return info.Env().Undefined();
  }
  Napi::Value Step(const Napi::CallbackInfo& info) {
    return Run(info, [](torch::optim::Optimizer& o) {
      at::NoGradGuard guard;
      o.step();
    });
  }
  Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
    bool setToNone = ArgBool(info[0], "setToNone");
    return Run(info, [setToNone](torch::optim::Optimizer& o) {
      for (auto& group : o.param_groups()) {
        for (auto& p : group.params()) {
          auto& g = p.mutable_grad();
          if (!g.defined()) continue;
          if (setToNone) {
            g.reset();
          } else {
            g = g.detach();
            g.zero_();
          }
        }
      }
    });
  }
  Napi::Value SetLr(const Napi::CallbackInfo& info) {
    double lr = ArgNumber(info[0], "lr");
    return Run(info, [lr](torch::optim::Optimizer& o) {
      for (auto& group : o.param_groups()) group.options().set_lr(lr);
    });
  }
  Napi::Value GetLr(const Napi::CallbackInfo& info) {
    double lr = 0;
    Run(info, [&lr](torch::optim::Optimizer& o) { lr = o.param_groups().at(0).options().get_lr(); });
    return Napi::Number::New(info.Env(), lr);
  }
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    opt_.reset();
    return info.Env().Undefined();
  }

  // Per-parameter state, in parameter order over all groups: null where the optimizer holds none
  // yet, else { step, buffers: { name: tensor } } with copies of libtorch's state tensors
  // (Adam/AdamW: expAvg, expAvgSq, maxExpAvgSq when amsgrad; SGD: momentumBuffer). This is what a
  // checkpoint needs to continue training exactly; the option values are the caller's to keep.
  Napi::Value GetState(const Napi::CallbackInfo& info) {
    auto env = info.Env();
    Napi::Array out = Napi::Array::New(env);
    Run(info, [&](torch::optim::Optimizer& o) {
      uint32_t index = 0;
      for (auto& group : o.param_groups()) {
        for (auto& p : group.params()) {
          auto it = o.state().find(c10::guts::to_string(p.unsafeGetTensorImpl()));
          if (it == o.state().end()) {
            out.Set(index++, env.Null());
            continue;
          }
          Napi::Object entry = Napi::Object::New(env);
          Napi::Object buffers = Napi::Object::New(env);
          auto put = [&](const char* name, const at::Tensor& t) {
            if (t.defined()) buffers.Set(name, NativeTensor::New(env, t.detach().clone()));
          };
          int64_t step = 0;
          if (kind_ == "sgd") {
            auto& s = static_cast<torch::optim::SGDParamState&>(*it->second);
            put("momentumBuffer", s.momentum_buffer());
          } else if (kind_ == "adam") {
            auto& s = static_cast<torch::optim::AdamParamState&>(*it->second);
            step = s.step();
            put("expAvg", s.exp_avg());
            put("expAvgSq", s.exp_avg_sq());
            put("maxExpAvgSq", s.max_exp_avg_sq());
          } else {
            auto& s = static_cast<torch::optim::AdamWParamState&>(*it->second);
            step = s.step();
            put("expAvg", s.exp_avg());
            put("expAvgSq", s.exp_avg_sq());
            put("maxExpAvgSq", s.max_exp_avg_sq());
          }
          entry.Set("step", Napi::Number::New(env, double(step)));
          entry.Set("buffers", buffers);
          out.Set(index++, entry);
        }
      }
    });
    return out;
  }

  // Replaces the per-parameter state with the shape GetState returns (one entry per parameter;
  // null clears it). Tensors are copied; shapes must match the parameters.
  Napi::Value SetState(const Napi::CallbackInfo& info) {
    auto env = info.Env();
    if (!info[0].IsArray()) throw Napi::TypeError::New(env, "setState: expected an array");
    auto entries = info[0].As<Napi::Array>();
    return Run(info, [&](torch::optim::Optimizer& o) {
      std::vector<at::Tensor> params;
      for (auto& group : o.param_groups())
        for (auto& p : group.params()) params.push_back(p);
      if (entries.Length() != params.size()) {
        throw Napi::RangeError::New(env, "setState: " + std::to_string(entries.Length()) + " entries for " +
                                             std::to_string(params.size()) + " parameters");
      }
      for (uint32_t i = 0; i < entries.Length(); ++i) {
        auto key = c10::guts::to_string(params[i].unsafeGetTensorImpl());
        Napi::Value v = entries.Get(i);
        if (v.IsNull() || v.IsUndefined()) {
          o.state().erase(key);
          continue;
        }
        if (!v.IsObject()) throw Napi::TypeError::New(env, "setState: entries must be objects or null");
        auto entry = v.As<Napi::Object>();
        auto buffersValue = entry.Get("buffers");
        if (!buffersValue.IsObject()) throw Napi::TypeError::New(env, "setState: entry without buffers");
        auto buffers = buffersValue.As<Napi::Object>();
        auto take = [&](const char* name, bool required) -> at::Tensor {
          auto b = buffers.Get(name);
          if (b.IsUndefined() || b.IsNull()) {
            if (required)
              throw Napi::TypeError::New(env, std::string("setState: parameter ") + std::to_string(i) +
                                                  " lacks buffer " + name);
            return at::Tensor();
          }
          at::Tensor t = ArgTensor(b, name);
          if (!t.sizes().equals(params[i].sizes()))
            throw Napi::RangeError::New(env, std::string("setState: buffer ") + name + " of parameter " +
                                                 std::to_string(i) + " has the wrong shape");
          return t.detach().clone().to(params[i].options());
        };
        int64_t step = ArgInt(entry.Get("step"), "step");
        if (kind_ == "sgd") {
          auto s = std::make_unique<torch::optim::SGDParamState>();
          s->momentum_buffer(take("momentumBuffer", true));
          o.state()[key] = std::move(s);
        } else if (kind_ == "adam") {
          auto s = std::make_unique<torch::optim::AdamParamState>();
          s->step(step);
          s->exp_avg(take("expAvg", true));
          s->exp_avg_sq(take("expAvgSq", true));
          s->max_exp_avg_sq(take("maxExpAvgSq", false));
          o.state()[key] = std::move(s);
        } else {
          auto s = std::make_unique<torch::optim::AdamWParamState>();
          s->step(step);
          s->exp_avg(take("expAvg", true));
          s->exp_avg_sq(take("expAvgSq", true));
          s->max_exp_avg_sq(take("maxExpAvgSq", false));
          o.state()[key] = std::move(s);
        }
      }
    });
  }

  std::string kind_;
  std::unique_ptr<torch::optim::Optimizer> opt_;
};

static double Field(const Napi::Object& o, const char* key, double fallback) {
  auto v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  return ArgNumber(v, key);
}
static bool Flag(const Napi::Object& o, const char* key, bool fallback) {
  auto v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  return ArgBool(v, key);
}

static Napi::Value MakeOptimizer(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto kind = ArgString(info[0], "kind");
  auto params = ArgTensorList(info[1], "params");
  if (!info[2].IsObject()) throw Napi::TypeError::New(env, "optimizer: options must be an object");
  auto o = info[2].As<Napi::Object>();
  double lr = Field(o, "lr", -1);
  if (!(lr > 0)) throw Napi::RangeError::New(env, "optimizer: lr must be > 0");
  std::unique_ptr<torch::optim::Optimizer> opt;
  if (kind == "adam") {
    auto opts = torch::optim::AdamOptions(lr)
                    .betas({Field(o, "beta1", 0.9), Field(o, "beta2", 0.999)})
                    .eps(Field(o, "eps", 1e-8))
                    .weight_decay(Field(o, "weightDecay", 0))
                    .amsgrad(Flag(o, "amsgrad", false));
    opt = std::make_unique<torch::optim::Adam>(params, opts);
  } else if (kind == "adamw") {
    auto opts = torch::optim::AdamWOptions(lr)
                    .betas({Field(o, "beta1", 0.9), Field(o, "beta2", 0.999)})
                    .eps(Field(o, "eps", 1e-8))
                    .weight_decay(Field(o, "weightDecay", 1e-2))
                    .amsgrad(Flag(o, "amsgrad", false));
    opt = std::make_unique<torch::optim::AdamW>(params, opts);
  } else if (kind == "sgd") {
    auto opts = torch::optim::SGDOptions(lr)
                    .momentum(Field(o, "momentum", 0))
                    .dampening(Field(o, "dampening", 0))
                    .weight_decay(Field(o, "weightDecay", 0))
                    .nesterov(Flag(o, "nesterov", false));
    opt = std::make_unique<torch::optim::SGD>(params, opts);
  } else {
    throw Napi::TypeError::New(env, "unknown optimizer '" + kind + "' (adam, adamw, sgd)");
  }
  Napi::Object obj = env.GetInstanceData<AddonData>()->optimizerCtor.New({});
  NativeOptimizer::Unwrap(obj)->set(kind, std::move(opt));
  return obj;
}

static Napi::Value ClipGradNorm(const Napi::CallbackInfo& info) {
  auto params = ArgTensorList(info[0], "params");
  double total = torch::nn::utils::clip_grad_norm_(params, ArgNumber(info[1], "maxNorm"), ArgNumber(info[2], "normType"));
  return Napi::Number::New(info.Env(), total);
}

static Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), torch::cuda::is_available());
}
static Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(torch::cuda::device_count()));
}
static Napi::Value TorchVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                                           std::to_string(TORCH_VERSION_PATCH));
}

void RegisterOptim(Napi::Env env, Napi::Object e) {
  env.GetInstanceData<AddonData>()->optimizerCtor = Napi::Persistent(NativeOptimizer::Define(env));
  Export<MakeOptimizer>(env, e, "optimizer");
  Export<ClipGradNorm>(env, e, "clipGradNorm");
  Export<CudaIsAvailable>(env, e, "cudaIsAvailable");
  Export<CudaDeviceCount>(env, e, "cudaDeviceCount");
  Export<TorchVersion>(env, e, "torchVersion");
}

}  // namespace emovox
