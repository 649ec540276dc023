#include "config/registry.h"

#include <algorithm>

#include "ebm/latent_variable_model.h"
#include "config/components.h"

namespace ebm::experiments {

bool Accepts::accepts(Domain d) const { return std::find(domains.begin(), domains.end(), d) != domains.end(); }

std::string Accepts::domain_words() const {
  std::string out;
  for (size_t i = 0; i < domains.size(); ++i) {
    out += std::string(i == 0 ? "" : i + 1 == domains.size() ? " or " : ", ") + domain_name(domains[i]);
  }
  return out;
}

std::string Accepts::describe() const {
  std::string out = domain_words();
  out += latent_variable ? " latent-variable models" : " models";
  if (two_dimensional) out += ", 2-D";
  if (known_density) out += ", on data with a known density";
  if (gaussian) out += "; only Gaussian densities";
  if (graph) out += "; only pairwise models on a graph (ising)";
  if (needs_sampler) out += "; runs the sampler";
  if (!also.empty()) out += "; " + also;
  return out;
}

namespace {
bool is_gaussian(const EnergyModelImpl& model) {
  const auto form = model.gaussian_mixture_form();
  return form && form->weights.size(0) == 1;
}
}  // namespace

bool is_accepted(const Accepts& accepts, const EnergyModelImpl& model, bool known_density) {
  return accepts.accepts(model.domain()) &&
         (!accepts.latent_variable || dynamic_cast<const LatentVariableModel*>(&model) != nullptr) &&
         (!accepts.two_dimensional || model.dim() == 2) && (!accepts.known_density || known_density) &&
         (!accepts.gaussian || is_gaussian(model)) && (!accepts.graph || model.interaction_graph().has_value());
}

void require_accepted(const Accepts& accepts, const EnergyModelImpl& model, const std::string& what,
                      bool known_density) {
  if (!is_accepted(accepts, model, known_density)) {
    throw std::invalid_argument(what + " works on " + accepts.describe() + ", not on '" + model.type_name() + "' (" +
                                domain_name(model.domain()) + ", " +
                                std::to_string(model.dim()) + "-D, on data whose density is " +
                                (known_density ? "known" : "not known") + ")");
  }
}

}  // namespace ebm::experiments
