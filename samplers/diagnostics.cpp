#include "samplers/diagnostics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace ebm::samplers {

namespace {

// Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9).
double normal_quantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double low = 0.02425;
  if (p < low) {
    double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normal_quantile(1 - p);
  double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

void require_shape(const Draws& draws, int min_draws) {
  if (draws.rows() < 1 || draws.cols() < min_draws) {
    throw std::invalid_argument("diagnostics need at least " + std::to_string(min_draws) + " draws per chain");
  }
}

// Within-chain variance W and the pooled estimate var+ = (N-1)/N W + B/N.
std::pair<double, double> variances(const Draws& draws) {
  const double n = static_cast<double>(draws.cols());
  Eigen::VectorXd means = draws.rowwise().mean();
  double within = 0;
  for (int m = 0; m < draws.rows(); ++m) within += (draws.row(m).array() - means(m)).square().sum() / (n - 1);
  within /= static_cast<double>(draws.rows());
  const double between = draws.rows() > 1 ? n * (means.array() - means.mean()).square().sum() / (draws.rows() - 1) : 0.0;
  return {within, (n - 1) / n * within + between / n};
}

double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (position - static_cast<double>(below)) * (values[above] - values[below]);
}

std::vector<double> pooled(const Draws& draws) {
  return std::vector<double>(draws.data(), draws.data() + draws.size());
}

}  // namespace

Eigen::VectorXd autocorrelation(const Eigen::VectorXd& x, int max_lag) {
  const int n = static_cast<int>(x.size());
  max_lag = std::min(max_lag, n - 1);
  Eigen::VectorXd centred = x.array() - x.mean();
  const double c0 = centred.squaredNorm() / n;
  Eigen::VectorXd rho(max_lag + 1);
  for (int t = 0; t <= max_lag; ++t) {
    rho(t) = c0 > 0 ? centred.head(n - t).dot(centred.tail(n - t)) / n / c0 : (t == 0 ? 1.0 : 0.0);
  }
  return rho;
}

double integrated_autocorrelation_time(const Draws& draws) {
  require_shape(draws, 4);
  const int m = static_cast<int>(draws.rows()), n = static_cast<int>(draws.cols());
  auto [within, var_plus] = variances(draws);
  if (var_plus <= 0) return 1.0;
  // Autocorrelations are computed in blocks of lags until Geyer's sequence ends.
  std::vector<Eigen::VectorXd> rho_chain(m);
  std::vector<double> chain_var(m);
  int computed = -1;
  auto rho_at = [&](int t) {
    if (t > computed) {
      const int upto = std::min(n - 1, std::max(2 * t, 64));
      for (int c = 0; c < m; ++c) {
        Eigen::VectorXd row = draws.row(c).transpose();
        rho_chain[c] = autocorrelation(row, upto);
        chain_var[c] = (row.array() - row.mean()).square().sum() / (n - 1);
      }
      computed = upto;
    }
    double mean_cov = 0;
    for (int c = 0; c < m; ++c) mean_cov += chain_var[c] * rho_chain[c](t);
    return 1.0 - (within - mean_cov / m) / var_plus;
  };
  double sum = 0, previous_pair = INFINITY;
  for (int k = 0; 2 * k + 1 < n; ++k) {
    double pair = rho_at(2 * k) + rho_at(2 * k + 1);
    if (pair <= 0) break;
    pair = std::min(pair, previous_pair);  // initial monotone sequence
    sum += pair;
    previous_pair = pair;
  }
  // tau >= 1/log10(MN) as Stan bounds it, so ESS never exceeds MN log10(MN).
  return std::max(-1.0 + 2.0 * sum, 1.0 / std::log10(static_cast<double>(m) * n));
}

double effective_sample_size(const Draws& draws) {
  return static_cast<double>(draws.size()) / integrated_autocorrelation_time(draws);
}

Draws split_chains(const Draws& draws) {
  require_shape(draws, 4);
  const Eigen::Index half = draws.cols() / 2, offset = draws.cols() - half;
  Draws split(2 * draws.rows(), half);
  split.topRows(draws.rows()) = draws.leftCols(half);
  split.bottomRows(draws.rows()) = draws.middleCols(offset, half);
  return split;
}

Draws rank_normalize(const Draws& draws) {
  const Eigen::Index s = draws.size();
  std::vector<Eigen::Index> order(s);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return draws.data()[a] < draws.data()[b]; });
  Draws z(draws.rows(), draws.cols());
  for (Eigen::Index i = 0; i < s;) {
    Eigen::Index j = i;
    while (j + 1 < s && draws.data()[order[j + 1]] == draws.data()[order[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;  // ties share their mean rank
    const double value = normal_quantile((rank - 0.375) / (static_cast<double>(s) + 0.25));
    for (Eigen::Index k = i; k <= j; ++k) z.data()[order[k]] = value;
    i = j + 1;
  }
  return z;
}

double bulk_ess(const Draws& draws) { return effective_sample_size(rank_normalize(split_chains(draws))); }

double tail_ess(const Draws& draws) {
  Draws split = split_chains(draws);
  auto values = pooled(split);
  double result = INFINITY;
  for (double q : {0.05, 0.95}) {
    const double cut = quantile(values, q);
    Draws indicator = (split.array() <= cut).cast<double>();
    result = std::min(result, effective_sample_size(indicator));
  }
  return result;
}

double split_rhat(const Draws& draws) {
  auto rhat = [](const Draws& d) {
    auto [within, var_plus] = variances(d);
    return within > 0 ? std::sqrt(var_plus / within) : 1.0;
  };
  Draws split = split_chains(draws);
  const double median = quantile(pooled(split), 0.5);
  Draws folded = (split.array() - median).abs();
  return std::max(rhat(rank_normalize(split)), rhat(rank_normalize(folded)));
}

}  // namespace ebm::samplers
