#include "ebm/pairwise_ising.h"

#include <torch/torch.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ebm {

PairwiseIsingImpl::PairwiseIsingImpl(const PairwiseIsingOptions& options) {
  const auto& e = options.edges();
  if (e.dim() != 2 || e.size(1) != 2 || e.scalar_type() != torch::kLong) throw std::invalid_argument("an Ising graph's edges are int64 [E, 2]");
  if (e.numel() > 0 && (e.min().item<int64_t>() < 0 || e.max().item<int64_t>() >= options.units())) {
    throw std::invalid_argument("an Ising graph's edges name units 0.." + std::to_string(options.units() - 1));
  }
  if (e.numel() > 0 && e.select(1, 0).eq(e.select(1, 1)).any().item<bool>()) throw std::invalid_argument("an Ising graph has a self-loop");
  couplings = register_parameter("couplings", torch::randn({e.size(0)}) * options.init_std());
  fields = register_parameter("fields", torch::zeros({options.units()}));
  edges_ = e.clone();
}

torch::Tensor PairwiseIsingImpl::energy(const torch::Tensor& x) {
  const auto s = 2 * x - 1;
  const auto edges = edges_on(x.device());
  const auto pairs = s.index_select(1, edges.select(1, 0)) * s.index_select(1, edges.select(1, 1));  // [B, E]
  return -pairs.matmul(in_dtype_of(couplings, x)) - s.matmul(in_dtype_of(fields, x));
}

torch::Tensor PairwiseIsingImpl::energy_gradient(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  const auto s = 2 * x - 1;
  const auto j = in_dtype_of(couplings, x).detach();
  const auto edges = edges_on(x.device());
  const auto first = edges.select(1, 0), second = edges.select(1, 1);
  auto local = in_dtype_of(fields, x).detach().expand_as(s).clone();  // sum_e J_e s_other(e) + h_i
  local.index_add_(1, first, s.index_select(1, second) * j);
  local.index_add_(1, second, s.index_select(1, first) * j);
  return -2 * local;
}

torch::Tensor lattice_edges(const std::vector<int64_t>& sides) {
  int64_t sites = 1;
  for (const int64_t side : sides) {
    if (side < 2) throw std::invalid_argument("a periodic lattice's sides are at least 2");
    sites *= side;
  }
  std::vector<int64_t> flat;
  for (int64_t site = 0; site < sites; ++site) {
    int64_t stride = sites;
    for (const int64_t side : sides) {
      stride /= side;
      const int64_t coordinate = (site / stride) % side;
      flat.push_back(site);
      flat.push_back(coordinate + 1 == side ? site - coordinate * stride : site + stride);
    }
  }
  return torch::tensor(flat, torch::kLong).view({-1, 2});
}

torch::Tensor complete_edges(int64_t units) {
  std::vector<int64_t> flat;
  for (int64_t i = 0; i < units; ++i) {
    for (int64_t j = i + 1; j < units; ++j) flat.push_back(i), flat.push_back(j);
  }
  return torch::tensor(flat, torch::kLong).view({-1, 2});
}

torch::Tensor read_edge_list(const std::string& path, int64_t units) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read the edge list " + path);
  std::vector<int64_t> flat;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    for (char& c : line) c = c == ',' ? ' ' : c;
    std::istringstream fields(line);
    int64_t i = 0, j = 0;
    std::string rest;
    if (!(fields >> i)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank
    } else if ((fields >> j) && !(fields >> rest) && i >= 0 && j >= 0 && i < units && j < units && i != j) {
      flat.push_back(i), flat.push_back(j);
      continue;
    }
    throw std::invalid_argument(path + ":" + std::to_string(number) + ": not an edge \"i,j\" of two different units 0.." +
                                std::to_string(units - 1) + ": " + line);
  }
  if (flat.empty()) throw std::invalid_argument(path + ": no edges");
  return torch::tensor(flat, torch::kLong).view({-1, 2});
}

}  // namespace ebm
