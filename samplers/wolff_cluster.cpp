#include "samplers/wolff_cluster.h"

#include <ATen/TensorIterator.h>
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "ebm/seed.h"
#include "io/interrupt.h"

namespace ebm::samplers {

namespace {

// splitmix64's step (Steele, Lea & Flood 2014): the next of a chain's 64-bit draws.
uint64_t next_draw(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// `moves` cluster moves of one chain's lattice; returns the spins flipped.
int64_t chain_moves(const LatticeIsing& lattice, int8_t* spin, int64_t moves, uint64_t add_below, uint64_t stream,
                    std::vector<int64_t>& stack) {
  const auto& sides = lattice.options().sides();
  const int64_t d = lattice.dims(), sites = lattice.sites();
  std::vector<int64_t> stride(static_cast<size_t>(d), 1);
  for (int64_t a = d - 2; a >= 0; --a) stride[a] = stride[a + 1] * sides[a + 1];
  int64_t flipped = 0;
  for (int64_t move = 0; move < moves; ++move) {
    const auto seed_site = static_cast<int64_t>((static_cast<unsigned __int128>(next_draw(stream)) * static_cast<uint64_t>(sites)) >> 64);
    const int8_t aligned = spin[seed_site];
    spin[seed_site] = static_cast<int8_t>(-aligned);  // flipped as it joins, so it cannot join twice
    stack.assign(1, seed_site);
    while (!stack.empty()) {
      const int64_t site = stack.back();
      stack.pop_back();
      ++flipped;
      for (int64_t a = 0; a < d; ++a) {
        const int64_t coordinate = (site / stride[a]) % sides[a];
        const int64_t up = coordinate + 1 == sides[a] ? site - coordinate * stride[a] : site + stride[a];
        const int64_t down = coordinate == 0 ? site + (sides[a] - 1) * stride[a] : site - stride[a];
        for (const int64_t next : {up, down}) {
          if (spin[next] == aligned && next_draw(stream) < add_below) {
            spin[next] = static_cast<int8_t>(-aligned);
            stack.push_back(next);
          }
        }
      }
    }
  }
  return flipped;
}

}  // namespace

torch::Tensor wolff_moves(const LatticeIsing& lattice, double beta, torch::Tensor& spins, int64_t moves) {
  if (lattice.options().field() != 0) throw std::invalid_argument("Wolff cluster moves need a zero field");
  if (!(lattice.options().coupling() > 0)) throw std::invalid_argument("Wolff cluster moves need a ferromagnetic coupling J > 0");
  if (!(beta >= 0)) throw std::invalid_argument("Wolff cluster moves need an inverse temperature beta >= 0");
  lattice.check_states(spins, "Wolff cluster moves");
  if (!spins.device().is_cpu()) throw std::invalid_argument("Wolff cluster moves run on the CPU");
  // A bond is added when a uniform 64-bit draw is below p_add 2^64 (p_add within 2^-64).
  const double p_add = -std::expm1(-2.0 * beta * lattice.options().coupling());
  const uint64_t add_below = p_add >= 1 ? ~uint64_t{0} : static_cast<uint64_t>(std::ldexp(p_add, 64));
  const int64_t chains = spins.size(0), sites = lattice.sites();
  auto flipped = torch::zeros({chains}, torch::kLong);
  io::interruption_point("Wolff cluster moves");
  const uint64_t seed = draw_seed();
  int8_t* const all = spins.data_ptr<int8_t>();
  int64_t* const counts = flipped.data_ptr<int64_t>();
  // The chains are shared over LibTorch's intra-op threads through a TensorIterator over their numbers.
  const auto numbers = torch::arange(chains, torch::kLong), unused = torch::empty_like(numbers);
  auto iter = at::TensorIteratorConfig().add_output(unused).add_input(numbers).build();
  iter.for_each([&](char** data, const int64_t* strides, int64_t size0, int64_t size1) {
    TORCH_INTERNAL_ASSERT(size1 == 1 && strides[1] == sizeof(int64_t));
    std::vector<int64_t> stack;
    for (int64_t chain = *reinterpret_cast<const int64_t*>(data[1]), end = chain + size0; chain < end; ++chain) {
      uint64_t stream = seed ^ (static_cast<uint64_t>(chain) * 0xd1342543de82ef95ULL);  // the chain's own start
      counts[chain] = chain_moves(lattice, all + chain * sites, moves, add_below, stream, stack);
    }
  }, 1);
  return flipped;
}

}  // namespace ebm::samplers
