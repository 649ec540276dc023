// What the process computes with: the BLAS library LibTorch resolved at run time (Debian's
// LibTorch links the generic libblas.so.3, so the installed alternative decides the speed)
// and the thread count. Logged at start and printed in benchmark JSON.
#pragma once

#include <string>

namespace ebm::experiments {

// "OpenBLAS 0.3.21 ... (/usr/lib/.../openblas-openmp/libblas.so.3)", or the library path.
std::string blas_description();

// "Intel(R) Xeon(R) ... , 2 cores": the processor model from /proc/cpuinfo and the core count.
std::string machine_description();

// The first GPU's name as nvidia-smi reports it ("NVIDIA H100 80GB HBM3"), or "unknown GPU".
std::string gpu_name();

}  // namespace ebm::experiments
