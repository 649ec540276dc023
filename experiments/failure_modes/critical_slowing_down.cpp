// critical_slowing_down: local Gibbs updates of the 2-D Ising model slow down as the lattice grows
// at the critical temperature, cluster moves hardly at all, and away from it neither does.
// For each side L, chains equilibrated by Wolff moves are run on by checkerboard Gibbs (records
// thinned to a tenth of the next smaller side's tau) and by Wolff moves (one record per move), and the integrated
// autocorrelation time tau of the squared magnetisation M^2 (samplers/diagnostics.h, Geyer's
// initial monotone sequence over all chains) is put in sweeps: Wolff's tau in moves times the
// mean cluster over the N = L^2 sites. At beta_c = ln(1 + sqrt 2) / 2 (Onsager 1944), tau grows
// as L^z: z = 2.17 for local heat-bath dynamics (Nightingale & Blöte 1996, 2.1665), about 0.25
// for Wolff (Wolff 1989; Coddington & Baillie 1992); z is the least-squares slope of ln tau on
// ln L, fitted for all chains and for two halves of them (independent repeats). Away from
// criticality (T = 3 by default) the correlation length is a few sites and tau does not grow.
#include <torch/torch.h>

#include <cmath>

#include "ebm/lattice_ising.h"
#include "experiments/study_support.h"
#include "samplers/checkerboard_gibbs.h"
#include "samplers/diagnostics.h"
#include "samplers/wolff_cluster.h"

namespace ebm::experiments {

namespace {

// M^2 per chain after each of `records` steps, as draws [chains, records], and the sites flipped.
template <class Step>
samplers::Draws record_squared_magnetisation(torch::Tensor& spins, int64_t records, Step step) {
  std::vector<torch::Tensor> rows;
  rows.reserve(static_cast<size_t>(records));
  for (int64_t r = 0; r < records; ++r) {
    step();
    rows.push_back(LatticeIsing::magnetisation(spins).pow(2));
  }
  const auto all = torch::stack(rows, 1).contiguous();  // [chains, records], double
  samplers::Draws draws(all.size(0), all.size(1));
  for (int64_t c = 0; c < all.size(0); ++c) {
    for (int64_t r = 0; r < all.size(1); ++r) draws(c, r) = all.data_ptr<double>()[c * all.size(1) + r];
  }
  return draws;
}

struct Tau {
  double all = 0;                 // tau of every chain, in sweeps
  std::vector<double> halves;     // of each half of the chains
};

Tau tau_in_sweeps(const samplers::Draws& draws, double sweeps_per_record) {
  const int64_t half = draws.rows() / 2;
  return {samplers::integrated_autocorrelation_time(draws) * sweeps_per_record,
          {samplers::integrated_autocorrelation_time(draws.topRows(half)) * sweeps_per_record,
           samplers::integrated_autocorrelation_time(draws.bottomRows(draws.rows() - half)) * sweeps_per_record}};
}

// The least-squares slope of ln y on ln x.
double log_log_slope(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += std::log(x[i]), my += std::log(y[i]);
  mx /= static_cast<double>(x.size()), my /= static_cast<double>(x.size());
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (std::log(x[i]) - mx) * (std::log(y[i]) - my);
    sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
  }
  return sxy / sxx;
}

struct Scaling {
  std::vector<double> gibbs, wolff;                          // tau in sweeps, per side
  std::vector<std::vector<double>> gibbs_halves{2}, wolff_halves{2};
  std::vector<double> cluster_fraction;                      // mean Wolff cluster / N, per side
};

Scaling measure_at(const SectionConfig& st, double beta, const std::vector<int64_t>& sides) {
  const int64_t chains = st.get<int64_t>("chains");
  const int64_t gibbs_records = st.get<int64_t>("gibbs_records"), wolff_records = st.get<int64_t>("wolff_records");
  const double thin = st.get<double>("gibbs_thin");
  Scaling out;
  double previous_tau = 0;  // Gibbs's, at the next smaller side
  for (const int64_t side : sides) {
    const LatticeIsing lattice(LatticeIsingOptions({side, side}));
    auto start = lattice.random_states(chains);
    samplers::wolff_moves(lattice, beta, start, st.get<int64_t>("warmup_moves"));  // equilibrium, quickly
    // Gibbs, one record every `thin` times the tau of the next smaller side (tau grows with L, so
    // a record is at most that fraction of this side's tau apart) and every sweep at the smallest.
    auto spins = start.clone();
    const auto every = std::max<int64_t>(1, static_cast<int64_t>(std::floor(thin * previous_tau)));
    const auto g = tau_in_sweeps(record_squared_magnetisation(spins, gibbs_records, [&] { samplers::checkerboard_gibbs(lattice, beta, spins, every); }),
                                 static_cast<double>(every));
    // Wolff, one record per move; a move is (mean cluster) / N sweeps of work.
    spins = start.clone();
    int64_t flipped = 0;
    const auto w_moves = record_squared_magnetisation(spins, wolff_records, [&] {
      flipped += samplers::wolff_moves(lattice, beta, spins, 1).sum().item<int64_t>();
    });
    const double cluster = static_cast<double>(flipped) / static_cast<double>(chains * wolff_records);
    const auto w = tau_in_sweeps(w_moves, cluster / static_cast<double>(lattice.sites()));
    out.gibbs.push_back(g.all), out.wolff.push_back(w.all);
    previous_tau = g.all;
    for (int h = 0; h < 2; ++h) out.gibbs_halves[h].push_back(g.halves[h]), out.wolff_halves[h].push_back(w.halves[h]);
    out.cluster_fraction.push_back(cluster / static_cast<double>(lattice.sites()));
  }
  return out;
}

nlohmann::ordered_json figures_of(const Scaling& s, const std::vector<double>& sides) {
  return {{"gibbs_tau_sweeps", s.gibbs},
          {"wolff_tau_sweeps", s.wolff},
          {"wolff_mean_cluster_fraction", s.cluster_fraction},
          {"gibbs_z", log_log_slope(sides, s.gibbs)},
          {"gibbs_z_halves", {log_log_slope(sides, s.gibbs_halves[0]), log_log_slope(sides, s.gibbs_halves[1])}},
          {"wolff_z", log_log_slope(sides, s.wolff)},
          {"wolff_z_halves", {log_log_slope(sides, s.wolff_halves[0]), log_log_slope(sides, s.wolff_halves[1])}}};
}

reports::Series log_tau(const std::string& label, const std::vector<double>& sides, const std::vector<double>& tau, int colour) {
  reports::Series s{label, sides, {}, {}, reports::palette(colour), true};
  for (const double t : tau) s.y.push_back(std::log10(t));
  return s;
}

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  torch::manual_seed(c.file.get<int64_t>("experiment.seed"));
  const auto sides = st.get<std::vector<int64_t>>("sides");
  const std::vector<double> x(sides.begin(), sides.end());
  const double beta_c = onsager_critical_beta(), away = 1 / st.get<double>("away_temperature");
  const auto critical = measure_at(st, beta_c, sides);
  const auto off = measure_at(st, away, sides);

  Signature s;
  s.figures = {{"sides", sides},
               {"critical", figures_of(critical, x)},
               {"away", figures_of(off, x)},
               {"beta_c", beta_c},
               {"away_beta", away},
               {"gibbs_over_wolff_at_largest", critical.gibbs.back() / critical.wolff.back()}};
  s.headline = fmt::format("at T_c tau(M^2) grows as L^{} under checkerboard Gibbs ({} sweeps at L = {}) and L^{} under Wolff ({}); "
                           "at T = {}: L^{} and L^{}",
                           figure(s.figures["critical"]["gibbs_z"].get<double>()), figure(critical.gibbs.back()), sides.back(),
                           figure(s.figures["critical"]["wolff_z"].get<double>()), figure(critical.wolff.back()),
                           figure(st.get<double>("away_temperature")), figure(s.figures["away"]["gibbs_z"].get<double>()),
                           figure(s.figures["away"]["wolff_z"].get<double>()));
  // Published slopes through the smallest side's measured tau, for the eye.
  auto reference = [&](const std::string& label, double z, double tau0, int colour) {
    reports::Series r{label, x, {}, {}, reports::palette(colour), false};
    for (const double side : x) r.y.push_back(std::log10(tau0) + z * std::log10(side / x.front()));
    return r;
  };
  reports::ChartOptions chart{"2-D Ising: autocorrelation time of the squared magnetisation against the side", "side L",
                              "log10 tau (sweeps)", 720, 360, true};
  s.picture = write_chart(c, "critical_slowing_down.png", chart,
                          {log_tau("checkerboard Gibbs at T_c", x, critical.gibbs, 0), log_tau("Wolff at T_c", x, critical.wolff, 1),
                           log_tau("Gibbs at T = " + figure(st.get<double>("away_temperature")), x, off.gibbs, 2),
                           log_tau("Wolff at T = " + figure(st.get<double>("away_temperature")), x, off.wolff, 3),
                           reference("slope 2.17 (published, local dynamics)", 2.1665, critical.gibbs.front(), 7),
                           reference("slope 0.25 (published, Wolff)", 0.25, critical.wolff.front(), 7)});
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const auto band = keys.get<std::vector<double>>("gibbs_z_band");
  const double wolff_max = keys.get<double>("wolff_z_max"), away_max = keys.get<double>("away_z_max");
  const double gibbs_z = as_number(f["critical"]["gibbs_z"]);
  return {{"at T_c, Gibbs's z in [" + figure(band.at(0)) + ", " + figure(band.at(1)) + "] (published 2.17)",
           gibbs_z >= band.at(0) && gibbs_z <= band.at(1)},
          {"Wolff's z below " + figure(wolff_max) + " (published 0.25)", as_number(f["critical"]["wolff_z"]) < wolff_max},
          {"Gibbs at least 10x slower than Wolff at the largest side", as_number(f["gibbs_over_wolff_at_largest"]) > 10},
          {"away from T_c, both z below " + figure(away_max),
           as_number(f["away"]["gibbs_z"]) < away_max && as_number(f["away"]["wolff_z"]) < away_max}};
}

const StudyRegistration registration(
    {"critical_slowing_down",
     "the autocorrelation time of local Gibbs on the 2-D Ising model grows as L^2.17 at T_c, Wolff's as L^0.25, neither away from T_c",
     {list("sides", values<int64_t>({8, 16, 32, 64}), integer("L", required(), 4, 4096, "side"), "lattice sides L (even), smallest first"),
      number("away_temperature", value(3.0), 0.01, 1e3, "the temperature away from T_c = 2.269 where both should mix fast"),
      integer("chains", value(8), 4, 1e5, "independent chains per side and sampler (two halves give the repeats)"),
      integer("warmup_moves", value(300), 0, 1e8, "Wolff moves that bring the random starts to equilibrium"),
      integer("gibbs_records", value(4000), 100, 1e8, "records of M^2 per Gibbs chain"),
      number("gibbs_thin", value(0.1), 0, 1, "Gibbs sweeps between records as a fraction of tau at the next smaller side (every sweep at the smallest)"),
      integer("wolff_records", value(4000), 100, 1e8, "records of M^2 per Wolff chain, one per move"),
      list("gibbs_z_band", values<double>({1.9, 2.45}), number("z", required(), 0, 10, "bound"), "the range Gibbs's z must fall in"),
      number("wolff_z_max", value(0.6), 0, 10, "largest Wolff z that counts as no critical slowing down"),
      number("away_z_max", value(0.5), 0, 10, "largest z away from T_c")},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
