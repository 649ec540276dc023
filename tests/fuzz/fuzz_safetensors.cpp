// libFuzzer harness: the safetensors reader. Only io::InputError may come out.
#include <unistd.h>

#include <fstream>
#include <string>

#include "io/input_error.h"
#include "reports/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/ebm_fuzz_safetensors_" + std::to_string(getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    ebm::reports::read_safetensors(path);
  } catch (const ebm::io::InputError&) {
  }
  return 0;
}
