// langevin_mixture_weights: Langevin dynamics with the exact score cannot find the weights of
// well-separated modes (Song & Ermon 2019, section 3.2). On w N(m0, 1) + (1 - w) N(m1, 1), chains
// started uniformly across both modes stay in the basin they start in, so the share that ends
// near m0 is the share that started there (about one half), not w; annealed Langevin (the noise
// ladder p * N(0, sigma^2), samplers/annealed_langevin.h) lets chains cross while the target is
// smooth, where the weights are the same, and ends with w.
#include <torch/torch.h>

#include "experiments/study_support.h"
#include "samplers/annealed_langevin.h"
#include "samplers/langevin.h"

namespace ebm::experiments {

namespace {

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  Experiment e = build_experiment(c.experiment().config(), "langevin_mixture_weights");
  auto& model = *e.model;
  const auto mixture = model.gaussian_mixture_form();
  if (!mixture || mixture->weights.size(0) != 2) {
    c.file.fail("experiment.model.type", "this study needs the data_density of two-component mixture data");
  }
  auto means = mixture->means.select(1, 0).to(torch::kFloat64);
  const double lo = means.min().item<double>(), hi = means.max().item<double>(), middle = (lo + hi) / 2;
  const double first_weight = mixture->weights[0].item<double>();
  const int64_t chains = st.get<int64_t>("chains"), dim = model.dim();
  // Uniform starts across both modes (two stds beyond each mean on the first axis), so half start near each.
  auto starts = torch::zeros({chains, dim}, mixture->means.options());
  starts.select(1, 0).uniform_(lo - 2, hi + 2);
  auto share_near_first = [&](const torch::Tensor& x) {
    const bool first_is_low = means[0].item<double>() < middle;
    auto near = first_is_low ? x.select(1, 0) < middle : x.select(1, 0) > middle;
    return near.to(torch::kFloat64).mean().item<double>();
  };
  samplers::LangevinSampler plain(samplers::LangevinOptions().step_size(st.get<double>("step_size")));
  auto after_plain = plain.run(model, starts, st.get<int64_t>("steps"));
  auto annealed = std::static_pointer_cast<samplers::Sampler>(e.sampler);
  auto after_annealed = annealed->run(model, starts, 1);
  const double plain_share = share_near_first(after_plain), annealed_share = share_near_first(after_annealed);
  const double start_share = share_near_first(starts);

  Signature s;
  s.figures = {{"exact_weight", first_weight}, {"share_at_start", start_share}, {"langevin_share", plain_share},
               {"annealed_share", annealed_share}, {"chains", chains}, {"langevin_steps", st.get<int64_t>("steps")}};
  s.headline = fmt::format("share in the {} mode: exact {}, Langevin {} (started {}), annealed Langevin {}", figure(first_weight),
                           figure(first_weight), figure(plain_share), figure(start_share), figure(annealed_share));
  // Histograms of the first coordinate: exact density, Langevin and annealed Langevin samples.
  const int64_t bins = 80;
  const double a = lo - 4, b = hi + 4, width = (b - a) / bins;
  auto centres = torch::linspace(a + width / 2, b - width / 2, bins, torch::kFloat64);
  auto histogram = [&](const torch::Tensor& x) {
    auto counts = torch::histc(x.select(1, 0).to(torch::kFloat64), bins, a, b) / (static_cast<double>(x.size(0)) * width);
    return std::vector<double>(counts.data_ptr<double>(), counts.data_ptr<double>() + bins);
  };
  std::vector<double> xs(centres.data_ptr<double>(), centres.data_ptr<double>() + bins), exact;
  {
    torch::NoGradGuard no_grad;
    // The first coordinate's exact marginal: the mixture of the 1-D components.
    auto points = torch::zeros({bins, dim}, mixture->means.options());
    points.select(1, 0).copy_(centres);
    if (dim == 1) {
      auto p = (-model.energy(points)).exp().to(torch::kFloat64).contiguous();
      exact.assign(p.data_ptr<double>(), p.data_ptr<double>() + bins);
    } else {
      auto w = mixture->weights.to(torch::kFloat64);
      for (int64_t i = 0; i < bins; ++i) {
        double v = 0;
        for (int64_t j = 0; j < 2; ++j) {
          const double z = xs[i] - means[j].item<double>();
          v += w[j].item<double>() * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
        }
        exact.push_back(v);
      }
    }
  }
  s.picture = write_chart(c, "mixture_weights.png",
                          {"where Langevin chains end on a " + figure(first_weight) + " / " + figure(1 - first_weight) + " mixture",
                           "x (first coordinate)", "density"},
                          {{"exact density", xs, exact, {}, reports::palette(7)},
                           {"Langevin", xs, histogram(after_plain), {}, reports::palette(0)},
                           {"annealed Langevin", xs, histogram(after_annealed), {}, reports::palette(1)}});
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double tolerance = keys.get<double>("tolerance"), exact = as_number(f["exact_weight"]);
  const double langevin = as_number(f["langevin_share"]);
  return {{"Langevin's final share within 0.05 of its starting share", std::abs(langevin - as_number(f["share_at_start"])) < 0.05},
          {"and more than 0.2 from the exact weight", std::abs(langevin - exact) > 0.2},
          {"annealed Langevin's within " + figure(tolerance) + " of the exact weight",
           std::abs(as_number(f["annealed_share"]) - exact) < tolerance}};
}

const StudyRegistration registration(
    {"langevin_mixture_weights",
     "Langevin with the exact score keeps its starting mode shares; annealed Langevin (the experiment's sampler) finds the weights",
     {integer("chains", value(10000), 100, 1e8, "chains, started uniformly across both modes"),
      integer("steps", value(5000), 1, 1e8, "plain Langevin steps"),
      number("step_size", value(0.1), 0, 10, "plain Langevin's eps", true),
      number("tolerance", value(0.03), 0, 1, "largest |annealed share - exact weight|", true)},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
