// The Ising model on a periodic hypercubic lattice (side lengths L_1 x ... x L_d, d >= 1) with a
// uniform coupling J and field h, spins s_i in {-1, +1}:
//   E(s) = -(J/2) sum_i sum_{k=1..2d} s_i s_{n_k(i)} - h sum_i s_i,   p(s) = exp(-beta E(s)) / Z,
// where n_k(i) are the 2d neighbours of site i with periodic wrap (each bond counted once; on a
// side of length 2 a site's two neighbours along that axis are one site, a double bond). The
// conditional of one spin given the others is p(s_i = +1 | rest) = sigmoid(2 beta (J m_i + h)),
// m_i = sum_k s_{n_k(i)} (Glauber 1963). On the infinite square lattice with J = 1, h = 0,
// the critical point is beta_c = ln(1 + sqrt 2) / 2 and the spontaneous magnetisation below it
// (1 - sinh(2 beta)^-4)^(1/8) (Onsager 1944; Yang 1952).
// States are int8 tensors [chains, L_1, ..., L_d] of +-1 (one lattice per chain).
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

#include <string>
#include <vector>

namespace ebm {

struct LatticeIsingOptions {
  LatticeIsingOptions(std::vector<int64_t> sides) : sides_(std::move(sides)) {}  // NOLINT: sides alone name a lattice
  TORCH_ARG(std::vector<int64_t>, sides);
  TORCH_ARG(double, coupling) = 1.0;  // J
  TORCH_ARG(double, field) = 0.0;     // h
};

class LatticeIsing {
 public:
  // Throws std::invalid_argument for no sides or a side below 2.
  explicit LatticeIsing(LatticeIsingOptions options);
  const LatticeIsingOptions& options() const { return options_; }
  int64_t dims() const { return static_cast<int64_t>(options_.sides().size()); }
  int64_t sites() const { return sites_; }
  // Whether the checkerboard (sum of coordinates mod 2) colours the lattice properly: every side even.
  bool bipartite() const;

  // Throws std::invalid_argument naming `sampler` unless `spins` are contiguous int8 [chains, sides...].
  void check_states(const torch::Tensor& spins, const std::string& sampler) const;

  // E(s) [chains] in double, of states [chains, L_1, ..., L_d] (any numeric dtype of +-1).
  torch::Tensor energy(const torch::Tensor& spins) const;
  // The magnetisation per site, mean_i s_i, [chains] in double.
  static torch::Tensor magnetisation(const torch::Tensor& spins);
  // Every one of the 2^N states [2^N, L_1, ..., L_d] (int8), for lattices of at most 24 sites.
  torch::Tensor all_states() const;
  // Random states, each spin +-1 with probability 1/2 (the default generator).
  torch::Tensor random_states(int64_t chains) const;

 private:
  LatticeIsingOptions options_;
  int64_t sites_;
};

// Onsager's spontaneous magnetisation per site of the infinite square lattice, J = 1, h = 0:
// (1 - sinh(2 beta)^-4)^(1/8) below the critical temperature, 0 above.
double onsager_magnetisation(double beta);
// beta_c = ln(1 + sqrt 2) / 2 = 0.4406868 (T_c = 2.269185).
double onsager_critical_beta();

}  // namespace ebm
