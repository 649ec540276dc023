// What the process computes with: the BLAS library LibTorch resolved at run time (Debian's
// LibTorch links the generic libblas.so.3, so the installed alternative decides the speed)
// and the thread count. Logged at start and printed in benchmark JSON.
#pragma once

#include <string>

namespace ebm::experiments {

// "OpenBLAS 0.3.21 ... SkylakeX ... (/usr/lib/.../libblas.so.3)" (with the kernels in use), or the
// library path.
std::string blas_description();

// "Intel(R) Xeon(R) ... , 2 cores": the processor model from /proc/cpuinfo and the core count.
std::string machine_description();

// OpenBLAS chooses its kernels by processor model when it loads, and a release older than the
// processor falls back to its Prescott (SSE3) kernels: Debian 12's OpenBLAS 0.3.21 does so on
// Intel's Xeons of 2023 (family 6, model 207), where every product then runs 3.5x slower. The
// core OpenBLAS should be told to use instead (OPENBLAS_CORETYPE): "SkylakeX" where the CPU has
// AVX-512 (F, BW, VL, DQ), "Haswell" where it has AVX2 and FMA, or "" where the chosen core fits.
struct CpuVectorUnits {
  bool avx2_fma = false, avx512 = false;
};
std::string blas_core_to_force(const std::string& chosen_core, const CpuVectorUnits& cpu);

// Where OpenBLAS fell back to a core slower than the CPU allows and the user set no
// OPENBLAS_CORETYPE, runs this program again (same arguments) with the right one. Call first
// thing in main(); returns where nothing needed doing or the restart failed.
void restart_if_blas_misjudged_the_cpu(char** argv);

// Training allocates and frees the same megabyte-sized tensors every step. glibc serves such
// blocks with fresh mmap()s by default, and their page faults cost a third of a CD step on a
// 784x500 RBM; this keeps blocks up to 256 MB on the heap, reusable (process-wide: call once).
void keep_large_blocks_on_the_heap();

// The first GPU's name as nvidia-smi reports it ("NVIDIA H100 80GB HBM3"), or "unknown GPU".
std::string gpu_name();

}  // namespace ebm::experiments
