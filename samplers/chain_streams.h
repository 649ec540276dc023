// Independent 64-bit random streams, one per chain, for the samplers whose chains each run their
// own sequential walk (cluster moves: samplers/wolff_cluster.h, samplers/swendsen_wang.h): each
// chain's stream starts from a seed (ebm/seed.h) mixed with the chain's index and steps by
// splitmix64 (Steele, Lea & Flood 2014), so the chains' draws do not depend on how the chains are
// shared over threads; for_each_chain shares them over LibTorch's intra-op threads.
#pragma once

#include <cstdint>
#include <functional>

namespace ebm::samplers {

// splitmix64's step: the next draw of a stream.
inline uint64_t next_draw(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A uniform index in [0, n) from one draw (Lemire's multiply-shift).
inline int64_t draw_below(uint64_t& state, int64_t n) {
  return static_cast<int64_t>((static_cast<unsigned __int128>(next_draw(state)) * static_cast<uint64_t>(n)) >> 64);
}

// The threshold t for which a draw below t happens with probability p (within 2^-64).
uint64_t probability_threshold(double p);

// Calls body(chain, stream) for chain = 0..chains-1 over LibTorch's intra-op threads, each with
// its own stream state started from `seed` and the chain's index.
void for_each_chain(int64_t chains, uint64_t seed, const std::function<void(int64_t chain, uint64_t& stream)>& body);

}  // namespace ebm::samplers
