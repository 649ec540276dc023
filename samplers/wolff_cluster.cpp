#include "samplers/wolff_cluster.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "ebm/seed.h"
#include "samplers/chain_streams.h"
#include "io/interrupt.h"

namespace ebm::samplers {

namespace {

// `moves` cluster moves of one chain's lattice; returns the spins flipped.
int64_t chain_moves(const LatticeIsing& lattice, int8_t* spin, int64_t moves, uint64_t add_below, uint64_t& stream,
                    std::vector<int64_t>& stack) {
  const auto& sides = lattice.options().sides();
  const int64_t d = lattice.dims(), sites = lattice.sites();
  std::vector<int64_t> stride(static_cast<size_t>(d), 1);
  for (int64_t a = d - 2; a >= 0; --a) stride[a] = stride[a + 1] * sides[a + 1];
  int64_t flipped = 0;
  for (int64_t move = 0; move < moves; ++move) {
    const auto seed_site = draw_below(stream, sites);
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
  // A bond is added when a uniform 64-bit draw is below p_add 2^64.
  const uint64_t add_below = probability_threshold(-std::expm1(-2.0 * beta * lattice.options().coupling()));
  const int64_t chains = spins.size(0), sites = lattice.sites();
  auto flipped = torch::zeros({chains}, torch::kLong);
  io::interruption_point("Wolff cluster moves");
  int8_t* const all = spins.data_ptr<int8_t>();
  int64_t* const counts = flipped.data_ptr<int64_t>();
  for_each_chain(chains, draw_seed(), [&](int64_t chain, uint64_t& stream) {
    std::vector<int64_t> stack;
    counts[chain] = chain_moves(lattice, all + chain * sites, moves, add_below, stream, stack);
  });
  return flipped;
}

}  // namespace ebm::samplers
