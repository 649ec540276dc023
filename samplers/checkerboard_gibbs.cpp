#include "samplers/checkerboard_gibbs.h"

#include <ATen/TensorIterator.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "ebm/mix32.h"
#include "ebm/seed.h"
#include "io/interrupt.h"

namespace ebm::samplers {

namespace {

// p(up | m) = sigmoid(2 beta (J m + h)) for the neighbour sums m = -2d, -2d + 2, ..., 2d, as
// thresholds on a 32-bit uniform: up when u < t, t = floor(p 2^32) capped at 2^32 - 1 (so a
// probability within 2^-32 of 1 is 1 - 2^-32).
std::vector<uint32_t> up_thresholds(const LatticeIsing& lattice, double beta) {
  std::vector<uint32_t> out;
  const int64_t z = 2 * lattice.dims();
  for (int64_t m = -z; m <= z; m += 2) {
    const double x = 2.0 * beta * (lattice.options().coupling() * static_cast<double>(m) + lattice.options().field());
    const double p = 1.0 / (1.0 + std::exp(-x));
    out.push_back(static_cast<uint32_t>(std::min(std::floor(p * 4294967296.0), 4294967295.0)));
  }
  return out;
}

// The draws of one row's sites of one colour, n of them at indices first, first + 2, ...:
// spin[k] = +1 when hash(index) < threshold[level[k]], else -1. Compiled for AVX2 and for
// baseline x86-64; the loader picks what the CPU has.
__attribute__((target_clones("avx2", "default"))) void draw_row(const int32_t* __restrict__ level, int8_t* __restrict__ spin,
                                                                int64_t n, uint64_t first, const uint32_t* __restrict__ threshold,
                                                                uint32_t key0, uint32_t key1) {
  for (int64_t k = 0; k < n; ++k) {
    const uint64_t index = first + 2 * static_cast<uint64_t>(k);
    const uint32_t u = mix32(mix32(static_cast<uint32_t>(index) ^ key0) + (static_cast<uint32_t>(index >> 32) ^ key1));
    spin[k] = u < threshold[level[k]] ? 1 : -1;
  }
}

// One colour's spins of every chain, drawn given the other colour's, in place.
void half_sweep_cpu(const LatticeIsing& lattice, int8_t* spins, int64_t chains, int colour, const std::vector<uint32_t>& threshold,
                    uint64_t seed) {
  const auto& sides = lattice.options().sides();
  const int64_t d = lattice.dims(), width = sides.back(), sites = lattice.sites(), rows = sites / width;
  std::vector<int64_t> row_stride(static_cast<size_t>(d), 1);  // rows between neighbours along axis a < d - 1
  for (int64_t a = d - 3; a >= 0; --a) row_stride[a] = row_stride[a + 1] * sides[a + 1];
  const uint32_t key0 = static_cast<uint32_t>(seed), key1 = static_cast<uint32_t>(seed >> 32);
  const int32_t z = static_cast<int32_t>(2 * d);
  // The rows are shared over LibTorch's own intra-op threads through a TensorIterator over their
  // numbers (at::parallel_for's OpenMP pragma would need this file compiled with OpenMP).
  const auto row_numbers = torch::arange(chains * rows, torch::kLong), unused = torch::empty_like(row_numbers);
  auto iter = at::TensorIteratorConfig().add_output(unused).add_input(row_numbers).build();
  iter.for_each([&](char** data, const int64_t* strides, int64_t size0, int64_t size1) {
    TORCH_INTERNAL_ASSERT(size1 == 1 && strides[1] == sizeof(int64_t));
    const int64_t begin = *reinterpret_cast<const int64_t*>(data[1]), end = begin + size0;
    std::vector<const int8_t*> across(static_cast<size_t>(2 * (d - 1)));
    std::vector<int32_t> level(static_cast<size_t>(width / 2 + 1));
    std::vector<int8_t> drawn(static_cast<size_t>(width / 2 + 1));
    for (int64_t r = begin; r < end; ++r) {
      const int64_t chain = r / rows, row = r % rows;
      int8_t* const lattice_start = spins + chain * sites;
      int8_t* const here = lattice_start + row * width;
      int parity = 0;
      for (int64_t a = 0; a + 1 < d; ++a) {
        const int64_t coordinate = (row / row_stride[a]) % sides[a];
        parity += static_cast<int>(coordinate);
        const int64_t up = coordinate + 1 == sides[a] ? row - coordinate * row_stride[a] : row + row_stride[a];
        const int64_t down = coordinate == 0 ? row + (sides[a] - 1) * row_stride[a] : row - row_stride[a];
        across[2 * a] = lattice_start + up * width;
        across[2 * a + 1] = lattice_start + down * width;
      }
      // Only this colour's sites are read from `here` and written; their neighbours are all of
      // the other colour, which no thread writes in this half-sweep. First the level of each
      // site's neighbour sum m, (m + 2d) / 2, then the draws, then the stores.
      const int64_t first = (colour + parity) & 1, n = (width - first + 1) / 2;
      for (int64_t k = 0; k < n; ++k) {
        const int64_t j = first + 2 * k;
        level[k] = here[j == 0 ? width - 1 : j - 1] + here[j + 1 == width ? 0 : j + 1] + z;
      }
      for (const int8_t* other : across) {
        for (int64_t k = 0; k < n; ++k) level[k] += other[first + 2 * k];
      }
      for (int64_t k = 0; k < n; ++k) level[k] >>= 1;
      draw_row(level.data(), drawn.data(), n, static_cast<uint64_t>(chain * sites + row * width + first), threshold.data(), key0, key1);
      for (int64_t k = 0; k < n; ++k) here[first + 2 * k] = drawn[k];
    }
  }, std::max<int64_t>(1, 16384 / width));
}

// The same with tensor operations, for other devices.
void half_sweep_tensors(const LatticeIsing& lattice, double beta, torch::Tensor& spins, const torch::Tensor& mask) {
  const auto s = spins.to(torch::kFloat32);
  auto m = torch::zeros_like(s);
  for (int64_t axis = 1; axis <= lattice.dims(); ++axis) m += torch::roll(s, 1, axis) + torch::roll(s, -1, axis);
  const auto p = torch::sigmoid(2.0 * beta * (lattice.options().coupling() * m + lattice.options().field()));
  const auto drawn = torch::where(torch::rand_like(p) < p, torch::ones_like(s), -torch::ones_like(s));
  spins.copy_(torch::where(mask, drawn, s).to(torch::kInt8));
}

}  // namespace

void checkerboard_gibbs(const LatticeIsing& lattice, double beta, torch::Tensor& spins, int64_t sweeps) {
  if (!lattice.bipartite()) throw std::invalid_argument("checkerboard Gibbs needs every side of the lattice even");
  lattice.check_states(spins, "checkerboard Gibbs");
  if (spins.device().is_cpu()) {
    const auto threshold = up_thresholds(lattice, beta);
    for (int64_t sweep = 0; sweep < sweeps; ++sweep) {
      io::interruption_point("checkerboard Gibbs");
      for (int colour = 0; colour < 2; ++colour) {
        half_sweep_cpu(lattice, spins.data_ptr<int8_t>(), spins.size(0), colour, threshold, draw_seed());
      }
    }
    return;
  }
  // The colour of each site, sum of coordinates mod 2.
  auto colour = torch::zeros(lattice.options().sides(), torch::TensorOptions().dtype(torch::kLong).device(spins.device()));
  for (int64_t a = 0; a < lattice.dims(); ++a) {
    std::vector<int64_t> shape(static_cast<size_t>(lattice.dims()), 1);
    shape[a] = lattice.options().sides()[a];
    colour = colour + torch::arange(lattice.options().sides()[a], colour.options()).view(shape);
  }
  const auto even = (colour.remainder(2) == 0).unsqueeze(0);
  for (int64_t sweep = 0; sweep < sweeps; ++sweep) {
    io::interruption_point("checkerboard Gibbs");
    half_sweep_tensors(lattice, beta, spins, even);
    half_sweep_tensors(lattice, beta, spins, even.logical_not());
  }
}

}  // namespace ebm::samplers
