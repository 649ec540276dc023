// binary_encoding_of_categories: categories written as bits. On one-hot data (each pixel one of q
// colours, q columns of which exactly one is 1) an RBM with Bernoulli visible units models every
// column as a free bit, so it spends probability on rows that are no data at all (a pixel with no
// colour, or two), the one-hot constraint being a q-th order interaction its hidden units can
// only approximate; a Potts visible layer (ebm/layers/potts_layer.h) has the constraint built in.
// Both are trained by the exact gradient (log Z by enumerating the hidden states), with the same
// hidden units, steps and seed, and scored by exact log-likelihood. The bits model's mass on
// one-hot rows, exactly, by enumerating its hidden states h (p(h) = exp(-F(h)) / Z):
//   P(one-hot) = sum_h p(h) prod_n P(group n one-hot | h),
//   log P(group one-hot | h) = logsumexp_k a_k - sum_k softplus(a_k),   a = the group's logits,
// and its log-likelihood renormalised over one-hot rows is ll - log P(one-hot) (what a sampler
// that discards invalid rows would be scored by).
#include <torch/torch.h>

#include <cmath>

#include "datasets/bars_and_stripes.h"
#include "ebm/exact_enumeration.h"
#include "ebm/layered_rbm.h"
#include "ebm/layers/binary_layer.h"
#include "experiments/study_support.h"

namespace ebm::experiments {

namespace {

// The exact probability that a Bernoulli-visible RBM's visible row is one-hot in groups of q columns.
double one_hot_mass(LayeredRBMImpl& rbm, int64_t q) {
  torch::NoGradGuard no_grad;
  const auto layer = enumerated_layer(rbm, torch::kFloat64, "one-hot mass");
  if (!layer.over_hidden) throw std::logic_error("one-hot mass: enumerate the hidden layer");
  const double log_z = exact_log_partition(rbm);
  const auto& field = dynamic_cast<BinaryLayerImpl&>(*rbm.visible).field;
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < layer.count; start += int64_t{1} << 16) {
    const auto h = layer.states(start, std::min(layer.count, start + (int64_t{1} << 16)));
    const auto logits = (rbm.visible_input(h) + field.to(torch::kFloat64)).view({h.size(0), -1, q});
    const auto log_one_hot = (torch::logsumexp(logits, 2) - torch::softplus(logits).sum(2)).sum(1);
    parts.push_back(torch::logsumexp(-rbm.hidden_free_energy(h) - log_z + log_one_hot, 0, true));
  }
  return std::exp(torch::logsumexp(torch::cat(parts), 0).item<double>());
}

struct Encoding {
  std::string label;
  std::vector<std::string> overrides;
};

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  const int64_t q = c.file.get<int64_t>("experiment.data.colours"), size = c.file.get<int64_t>("experiment.data.size");
  const double optimum = datasets::bars_and_stripes_optimal_log_likelihood(size, q);
  const std::vector<Encoding> encodings = {
      {"bits", {"model.visible.type=binary"}},
      {"potts", {"model.visible.type=potts", "model.visible.states=" + std::to_string(q)}}};
  nlohmann::ordered_json per_size = nlohmann::ordered_json::array();
  reports::Series bits{"Bernoulli visible units (bits)", {}, {}, {}, reports::palette(0), true};
  reports::Series renormalised{"bits, renormalised over one-hot rows", {}, {}, {}, reports::palette(1), true};
  reports::Series potts{"Potts visible units", {}, {}, {}, reports::palette(2), true};
  for (const int64_t hidden : st.get<std::vector<int64_t>>("hidden")) {
    nlohmann::ordered_json row = {{"hidden", hidden}};
    for (const auto& encoding : encodings) {
      auto overrides = encoding.overrides;
      overrides.push_back("model.hidden.units=" + std::to_string(hidden));
      auto trained = train_for_study(c, encoding.label + "-" + std::to_string(hidden), overrides);
      auto& rbm = dynamic_cast<LayeredRBMImpl&>(*trained.experiment.model);
      rbm.to(torch::kFloat64);
      const double log_z = exact_log_partition(rbm);
      const double ll = mean_log_likelihood(rbm, trained.experiment.data->data(), log_z);
      row[encoding.label + "_ll"] = ll;
      if (encoding.label == "bits") {
        const double mass = one_hot_mass(rbm, q);
        row["bits_one_hot_mass"] = mass;
        row["bits_ll_renormalised"] = ll - std::log(mass);
        bits.x.push_back(static_cast<double>(hidden)), bits.y.push_back(ll);
        renormalised.x.push_back(static_cast<double>(hidden)), renormalised.y.push_back(ll - std::log(mass));
      } else {
        potts.x.push_back(static_cast<double>(hidden)), potts.y.push_back(ll);
      }
    }
    per_size.push_back(row);
  }
  Signature s;
  s.figures = {{"optimum_ll", optimum}, {"colours", q}, {"size", size}, {"by_hidden_units", per_size}};
  const auto& first = per_size.front();
  const auto& last = per_size.back();
  s.headline = fmt::format(
      "{} hidden units: bits put {} of their mass on rows that are not one-hot, ll {} against Potts {} (optimum {}); "
      "{} hidden units: {} off one-hot, {} against {}",
      first["hidden"].get<int64_t>(), figure(1 - as_number(first["bits_one_hot_mass"])), figure(as_number(first["bits_ll"])),
      figure(as_number(first["potts_ll"])), figure(optimum), last["hidden"].get<int64_t>(),
      figure(1 - as_number(last["bits_one_hot_mass"])), figure(as_number(last["bits_ll"])), figure(as_number(last["potts_ll"])));
  reports::Series best{"optimum (the data's entropy)", {0.0}, {optimum}, {}, reports::palette(3)};
  best.horizontal = true;
  s.picture = write_chart(c, "log_likelihood.png",
                          {"exact log-likelihood of one-hot data: bits against Potts units", "hidden units", "nats per row"},
                          {bits, renormalised, potts, best});
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double min_off = keys.get<double>("min_off_one_hot"), min_gap = keys.get<double>("min_gap");
  const double optimum = as_number(f["optimum_ll"]);
  const auto& rows = f["by_hidden_units"];
  const auto gap = [](const nlohmann::json& row) { return as_number(row["potts_ll"]) - as_number(row["bits_ll"]); };
  const auto& smallest = rows.front();
  bool narrowing = true, potts_ahead = true, below_optimum = true;
  for (size_t i = 0; i < rows.size(); ++i) {
    potts_ahead = potts_ahead && gap(rows[i]) > 0;
    below_optimum = below_optimum && as_number(rows[i]["potts_ll"]) <= optimum + 1e-9 && as_number(rows[i]["bits_ll"]) <= optimum + 1e-9;
    if (i > 0) narrowing = narrowing && gap(rows[i]) < gap(rows[i - 1]);
  }
  return {{"at the fewest hidden units, bits put more than " + figure(min_off) + " of their mass off one-hot rows",
           1 - as_number(smallest["bits_one_hot_mass"]) > min_off},
          {"and score more than " + figure(min_gap) + " nats per row below Potts units", gap(smallest) > min_gap},
          {"also when renormalised over one-hot rows (the constraint costs the fit of the data too)",
           as_number(smallest["potts_ll"]) - as_number(smallest["bits_ll_renormalised"]) > min_gap},
          {"Potts units ahead at every size, the gap narrowing as hidden units are added", potts_ahead && narrowing},
          {"no model above the optimum (a check of the scoring)", below_optimum}};
}

const StudyRegistration registration(
    {"binary_encoding_of_categories",
     "categories written as bits: Bernoulli visible units put mass on rows that are not one-hot, Potts units cannot "
     "(exact log-likelihoods, the same hidden units and training)",
     {list("hidden", values<int64_t>({4, 8, 12}), integer("units", required(), 1, 20, "hidden units"),
           "hidden layer sizes, each trained with either encoding (at most 20: log Z by enumeration)"),
      number("min_off_one_hot", value(0.5), 0, 1, "the least mass off one-hot rows, at the fewest hidden units, that counts as the failure"),
      number("min_gap", value(0.5), 0, 100, "the least log-likelihood gap (nats per row), at the fewest hidden units, that counts as the failure")},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
