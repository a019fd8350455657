// Shared declarations of the emovox libtorch addon. Only ATen is included here (cheap to
// compile); torch/torch.h (optimizers, nn utils) is confined to optim.cc.
#pragma once

#include <napi.h>

#include <ATen/ATen.h>

#include <atomic>
#include <string>
#include <vector>

namespace emovox {

// Constructors of the wrapper classes, stored per environment (worker-thread safe).
struct AddonData {
  Napi::FunctionReference tensorCtor;
  Napi::FunctionReference optimizerCtor;
};

// Count of wrappers currently holding a defined tensor; exported for leak tests.
extern std::atomic<int64_t> liveTensors;

// JS-visible handle owning one at::Tensor. dispose() releases it deterministically; the
// destructor (GC finalizer) only acts as a safety net.
class NativeTensor : public Napi::ObjectWrap<NativeTensor> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object New(Napi::Env env, at::Tensor tensor);
  explicit NativeTensor(const Napi::CallbackInfo& info);
  ~NativeTensor() override;

  // The held tensor; throws a JS error when disposed.
  const at::Tensor& tensor(Napi::Env env) const;
  void set(at::Tensor tensor);
  void reset();

 private:
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value DType(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);
  Napi::Value RequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  at::Tensor tensor_;
};

// ---- argument helpers (throw Napi::TypeError on misuse) ----
at::Tensor ArgTensor(const Napi::Value& v, const char* what);
c10::optional<at::Tensor> ArgOptTensor(const Napi::Value& v, const char* what);
std::vector<at::Tensor> ArgTensorList(const Napi::Value& v, const char* what);
std::vector<int64_t> ArgInts(const Napi::Value& v, const char* what);
double ArgNumber(const Napi::Value& v, const char* what);
int64_t ArgInt(const Napi::Value& v, const char* what);
bool ArgBool(const Napi::Value& v, const char* what);
std::string ArgString(const Napi::Value& v, const char* what);

// Converts libtorch/C++ exceptions into JS errors. Every exported function goes through it.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

template <Napi::Value (*F)(const Napi::CallbackInfo&)>
void Export(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New<Guarded<F>>(env, name));
}

void RegisterTensorOps(Napi::Env env, Napi::Object exports);
void RegisterNnOps(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);

}  // namespace emovox
