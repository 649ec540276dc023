// persistent_lag: persistent chains lag a fast-moving model (Tieleman 2008; PCD assumes the model
// changes slowly compared with the chains' mixing). From one trained model (the experiment,
// trained for start_steps), PCD continues at learning rates across two decades; at every
// measured step,
//   TV(empirical distribution of the persistent chains, the current model's exact distribution)
// against the floor of as many independent exact draws; and what persistence breaks: the share
// of chains still in the state they held one update earlier, against Σ_v p(v)², the chance that
// two independent draws coincide.
#include <torch/torch.h>

#include "ebm/exact_enumeration.h"
#include "experiments/study_support.h"
#include "samplers/enumerated_chain.h"
#include "trainers/contrastive.h"

namespace ebm::experiments {

namespace {

// E[TV(empirical distribution of n independent draws from p, p)], by `repeats` simulations.
double independent_draws_floor(const torch::Tensor& p, int64_t n, int64_t repeats) {
  double sum = 0;
  for (int64_t r = 0; r < repeats; ++r) {
    auto draws = torch::multinomial(p, n, /*replacement=*/true);
    auto counts = torch::bincount(draws, {}, p.size(0)).to(torch::kFloat64) / static_cast<double>(n);
    sum += samplers::total_variation(counts, p);
  }
  return sum / static_cast<double>(repeats);
}

struct LagRecord {
  std::vector<double> steps, tv, floor;
  double repeat_sum = 0, collision_sum = 0;
  int64_t repeat_count = 0;
  torch::Tensor previous;
};

Signature measure(const StudyContext& c) {
  const auto st = c.study();
  const auto rates = st.get<std::vector<double>>("learning_rates");
  const int64_t every = st.get<int64_t>("measure_every");
  Signature s;
  std::vector<reports::Series> series;
  std::vector<double> mean_tv, mean_floor;
  auto start = train_for_study(c, "start", {"train.steps=" + std::to_string(st.get<int64_t>("start_steps"))});
  s.runs.push_back(start.run.dir);
  for (size_t i = 0; i < rates.size(); ++i) {
    LagRecord r;
    auto observe = [&](const nlohmann::ordered_json& row, Experiment& e) {
      const auto* objective = dynamic_cast<const trainers::ContrastiveObjective*>(e.objective.get());
      const auto* source = objective ? dynamic_cast<const samplers::PersistentChainSource*>(&objective->chain_source()) : nullptr;
      if (source == nullptr) c.file.fail("experiment.objective.chain_source", "persistent_lag needs persistent chains");
      auto chains = source->chains().to(torch::kFloat64);
      const int64_t step = row["step"].get<int64_t>();
      const bool measure = step % every == 0;
      if (r.previous.defined() && measure) {
        auto& model = latent_model(c, e);
        auto p = visible_log_probabilities(model).exp().cpu();
        r.repeat_sum += (chains == r.previous).all(1).to(torch::kFloat64).mean().item<double>();
        r.collision_sum += p.pow(2).sum().item<double>();
        ++r.repeat_count;
        r.steps.push_back(static_cast<double>(step));
        r.tv.push_back(samplers::total_variation(samplers::empirical_distribution(chains), p));
        r.floor.push_back(independent_draws_floor(p, chains.size(0), 20));
      }
      r.previous = chains.clone();
    };
    const std::string label = "lr " + figure(rates[i]);
    auto trained = train_for_study(c, "lr-" + figure(rates[i]), {"optimizer.lr=" + figure(rates[i])}, observe,
                                   start.experiment.model.get());
    s.runs.push_back(trained.run.dir);
    // The second half of training, after the model has left its start.
    const size_t half = r.tv.size() / 2;
    double tv = 0, floor = 0;
    for (size_t j = half; j < r.tv.size(); ++j) tv += r.tv[j], floor += r.floor[j];
    tv /= static_cast<double>(r.tv.size() - half), floor /= static_cast<double>(r.tv.size() - half);
    mean_tv.push_back(tv), mean_floor.push_back(floor);
    s.figures[label] = {{"mean_tv_second_half", tv}, {"independent_draws_floor", floor}, {"lag_ratio", tv / floor},
                        {"share_of_chains_unchanged_by_an_update", r.repeat_sum / r.repeat_count},
                        {"independent_draws_coincidence", r.collision_sum / r.repeat_count},
                        {"final_exact_ll", trained.run.summary["final"].value("exact_ll", std::nan(""))}};
    series.push_back({label, r.steps, r.tv, {}, reports::palette(i)});
  }
  const double ratio = mean_tv.back() / mean_floor.back();
  const auto& slowest = s.figures["lr " + figure(rates.back())];
  const double unchanged = slowest["share_of_chains_unchanged_by_an_update"].get<double>();
  const double coincidence = slowest["independent_draws_coincidence"].get<double>();
  s.headline = fmt::format("chains-to-model TV / independent-draw floor {} (lr {}) -> {} (lr {}); {} of chains "
                           "unchanged by an update vs {} for independent draws",
                           figure(mean_tv.front() / mean_floor.front()), figure(rates.front()), figure(ratio),
                           figure(rates.back()), figure(unchanged), figure(coincidence));
  reports::Series floor{"independent draws (lr " + figure(rates.back()) + ")", series.back().x, {}, {}, reports::palette(7)};
  floor.y.assign(series.back().x.size(), mean_floor.back());
  series.push_back(floor);
  s.picture = write_chart(c, "persistent_lag.png",
                          {"PCD: total variation between the persistent chains and the current model (exact)", "update",
                           "TV(chains, model)"},
                          series);
  return s;
}

std::vector<Check> judge(nlohmann::json f, const SectionConfig& keys) {
  const double min_ratio = keys.get<double>("min_lag_ratio");
  const auto rates = keys.get<std::vector<double>>("learning_rates");
  // Each rate leaves its model elsewhere, with its own floor, so the lag is TV over that floor.
  bool grows = true;
  for (size_t i = 1; i < rates.size(); ++i) {
    grows = grows && as_number(f["lr " + figure(rates[i])]["lag_ratio"]) > as_number(f["lr " + figure(rates[i - 1])]["lag_ratio"]);
  }
  auto& fastest = f["lr " + figure(rates.back())];
  return {{"mean TV between the persistent chains and the current model, over the TV of as many independent draws, grows "
           "with the learning rate",
           grows},
          {"at the largest it is more than " + figure(min_ratio), as_number(fastest["lag_ratio"]) > min_ratio},
          {"at the largest rate the chains repeat their previous state more than twice as often as independent draws would",
           as_number(fastest["share_of_chains_unchanged_by_an_update"]) > 2 * as_number(fastest["independent_draws_coincidence"])}};
}

const StudyRegistration registration(
    {"persistent_lag", "persistent chains lag a model that moves fast: chains-to-model TV against the learning rate",
     {list("learning_rates", values<double>({0.001, 0.01, 0.1}), number("lr", required(), 0, 1e3, "rate", true),
           "optimizer.lr of each run, increasing"),
      integer("start_steps", value(5000), 1, 1e9, "training steps of the model every rate continues from"),
      integer("measure_every", value(50), 1, 1e9, "updates between measurements (the config logs every update)"),
      number("min_lag_ratio", value(2.0), 0, 1e9, "how many times the independent-draw floor the fastest run's TV must be", true)},
     {},
     {measure, judge}});

}  // namespace

}  // namespace ebm::experiments
