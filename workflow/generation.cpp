#include "workflow/generation.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "config/components.h"
#include "ebm/latent_variable_model.h"
#include "workflow/run_directory.h"
#include "io/atomic_file.h"
#include "reports/pictures.h"
#include "samplers/chain_source.h"
#include "trainers/contrastive.h"

namespace ebm::experiments {

using namespace reports;  // pictures, charts and file formats

PictureBudget picture_budget(const Experiment& e) {
  if (e.data->dim() == 2) return {1000, 1000};
  return {100, dynamic_cast<const LatentVariableModel*>(e.model.get()) != nullptr ? 1000 : 200};
}

std::shared_ptr<samplers::Sampler> drawing_sampler(const Experiment& e, const std::string& sampler_type,
                                                   const std::string& flag, std::string* note) {
  if (sampler_type.empty()) return sampler_for_pictures(e, note);
  const auto& sampler = sampler_registry().at(sampler_type);
  try {
    require_accepted(sampler.accepts, *e.model, "the " + sampler.name + " sampler");
    e.sampler->check_model(*e.model);
  } catch (const std::invalid_argument& error) {
    throw ConfigError(flag + ": " + error.what());
  }
  return e.sampler;
}

torch::Tensor generate_samples(Experiment& e, samplers::Sampler& sampler, int64_t n, int64_t steps) {
  const auto& data = e.data->data();
  auto noise = samplers::NoiseChainSource::around(data, e.data->is_binary(), n);
  auto start = noise.draw(n, data);
  return sampler.run(*e.model, start, steps);
}

namespace {
// The side of square images of `dim` pixels, or 0.
int64_t image_side(int64_t dim) {
  const auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(dim))));
  return side * side == dim && dim >= 4 ? side : 0;
}
}  // namespace

bool write_sample_picture(Experiment& e, const torch::Tensor& samples, const std::string& path, const std::string& title) {
  const int64_t dim = e.data->dim();
  if (dim == 2 && e.model->domain() == Domain::Continuous) {
    write_png(path, density_picture(*e.model, e.grid, samples, title));
    return true;
  }
  if (const int64_t side = image_side(dim)) {
    const int scale = static_cast<int>(std::max<int64_t>(1, 48 / side));
    write_png(path, image_grid(samples.slice(0, 0, std::min<int64_t>(samples.size(0), 100)), side, side, 10, scale));
    return true;
  }
  return false;
}

bool write_filter_picture(Experiment& e, const std::string& path) {
  const int64_t side = image_side(e.data->dim());
  if (side == 0 || dynamic_cast<LatentVariableModel*>(e.model.get()) == nullptr) return false;
  const auto parameters = e.model->named_parameters();  // find() points into this dictionary
  const auto* weight = parameters.find("weight");
  if (weight == nullptr || weight->dim() != 2 || weight->size(0) != e.data->dim()) return false;
  write_png(path, filter_grid(*weight, side, side, 100, 10, static_cast<int>(std::max<int64_t>(1, 48 / side))));
  return true;
}

bool write_persistent_chain_picture(Experiment& e, const std::string& path) {
  const auto* contrastive = dynamic_cast<const trainers::ContrastiveObjective*>(e.objective.get());
  if (contrastive == nullptr || image_side(e.data->dim()) == 0) return false;
  const auto* persistent = dynamic_cast<const samplers::PersistentChainSource*>(&contrastive->chain_source());
  if (persistent == nullptr || !persistent->chains().defined()) return false;
  return write_sample_picture(e, persistent->chains(), path, "persistent chains");
}

void write_samples_csv(const std::string& path, const torch::Tensor& samples) {
  auto values = samples.to(torch::kFloat64).cpu().contiguous();
  auto a = values.accessor<double, 2>();
  std::ostringstream out;
  for (int64_t j = 0; j < values.size(1); ++j) out << (j ? "," : "") << "x" << j;
  out << "\n";
  for (int64_t i = 0; i < values.size(0); ++i) {
    for (int64_t j = 0; j < values.size(1); ++j) out << (j ? "," : "") << fmt::format("{:.9g}", a[i][j]);
    out << "\n";
  }
  io::write_file_atomically(path, out.str());
}

}  // namespace ebm::experiments
