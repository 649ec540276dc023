// libFuzzer harness: the checkpoint loader, as `ebm sample`/`eval`/`export` use it on a run
// (the stored config, then the model of a 16x16 RBM). Only io::InputError may come out.
#include <string>

#include <torch/torch.h>

#include "ebm/layered_rbm.h"
#include "io/input_error.h"
#include "trainers/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto rbm = ebm::LayeredRBM(ebm::LayeredRBMOptions::bernoulli(16, 16));
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    auto archive = ebm::trainers::checkpoint_from_bytes(bytes, "fuzz.pt", torch::kCPU);
    ebm::trainers::read_model(archive, *rbm, "fuzz.pt");
  } catch (const ebm::io::InputError&) {
  }
  return 0;
}
