// spurious_modes: CD-1 leaves probability mass far from the data. For models of the same data
// trained by each variant (CD-1, PCD, parallel tempering, the exact gradient), the exact mass
// the model puts on visible patterns that are not in the data,
//   off_data_mass = Σ_{v not in data} p(v)   (enumeration of all 2^V visible states),
// and the patterns that carry most of CD-1's: the spurious modes its chains, started at the
// data and run one step, never visit to correct (Hinton 2002; Tieleman 2008; Desjardins et al. 2010).
#include <torch/torch.h>

#include <cmath>

#include "ebm/exact_enumeration.h"
#include "experiments/study_support.h"
#include "reports/pictures.h"
#include "trainers/exact_log_likelihood.h"

namespace ebm::experiments {

namespace {

Signature measure(const StudyContext& c) {
  const auto variants = variants_of(c, "variants");
  const std::string worst_label = c.study().get<std::string>("expected_worst");
  Signature s;
  reports::Series mass{"off-data mass", {}, {}, {}, reports::palette(0), true};
  double worst = -1, others = 0;
  torch::Tensor worst_patterns, worst_probabilities;
  int64_t side = 0;
  for (size_t i = 0; i < variants.size(); ++i) {
    auto trained = train_for_study(c, variants[i].label, variants[i].overrides);
    auto& model = latent_model(c, trained.experiment);
    auto data = trained.experiment.data->data();
    auto d = trainers::visible_distribution(model, data);
    auto off = d.probabilities.masked_fill(d.is_data, 0.0);
    const double total = off.sum().item<double>();
    const double ll = mean_log_likelihood(model, data, exact_log_partition(model));
    s.figures["off_data_mass"][variants[i].label] = total;
    s.figures["exact_ll"][variants[i].label] = ll;
    s.runs.push_back(trained.run.dir);
    mass.x.push_back(static_cast<double>(i + 1)), mass.y.push_back(total);
    if (variants[i].label == worst_label) {
      worst = total;
      auto top = off.topk(std::min<int64_t>(10, off.size(0)));
      worst_probabilities = std::get<0>(top);
      worst_patterns = binary_states(model.dim(), 0, int64_t{1} << model.dim()).index({std::get<1>(top)});
      side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(model.dim()))));
    } else {
      others = std::max(others, total);
    }
  }
  if (worst < 0) c.study().fail("expected_worst", "'" + worst_label + "' is not the label of a variant");
  const double ratio = worst / others;
  s.figures["ratio_to_next_largest"] = ratio;
  std::vector<double> top;
  for (int64_t i = 0; i < worst_probabilities.numel(); ++i) top.push_back(worst_probabilities[i].item<double>());
  s.figures["top_spurious_probabilities"] = top;
  s.headline = fmt::format("off-data mass {} {} = {} x the next largest", worst_label, figure(worst), figure(ratio));
  std::string labels;
  for (size_t i = 0; i < variants.size(); ++i) labels += (i ? "  " : "") + std::to_string(i + 1) + " " + variants[i].label;
  auto chart = reports::render_chart({"exact probability off the data, by how the model was trained", labels, "mass"}, {mass});
  std::vector<reports::Image> panels = {chart};
  if (side * side == worst_patterns.size(1)) {
    panels.push_back(reports::image_grid(worst_patterns.to(torch::kFloat32), side, side, 10, 12));
  }
  s.picture = c.path("spurious_modes.png");
  reports::write_png(s.picture, reports::stack_vertically(panels));
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double factor = keys.get<double>("min_factor");
  return {{keys.get<std::string>("expected_worst") + "'s exact off-data mass is more than " + figure(factor) +
               " times every other variant's",
           as_number(f["ratio_to_next_largest"]) > factor}};
}

const StudyRegistration registration(
    {"spurious_modes", "exact probability mass off the data for models trained by each variant; CD-1's is the largest",
     {variants_field(), text("expected_worst", value("cd1"), "the label of the variant expected to leave the most mass off the data"),
      number("min_factor", value(2.0), 0, 1e9, "how many times the next largest its mass must be", true)},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
