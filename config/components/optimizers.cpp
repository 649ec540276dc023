// The optimisers (optimizer.type) and learning-rate schedules (train.lr_schedule) a config can name.
#include "config/components.h"
#include "trainers/optimizer.h"
#include "trainers/schedule.h"

namespace ebm::experiments {

namespace {

Field weight_decay() { return number("weight_decay", value(0.0), 0, 1, "L2 penalty on weight matrices"); }

std::vector<Component<OptimizerFactory>> optimizers() {
  return {
      {"sgd", "stochastic gradient descent with heavy-ball or Nesterov momentum (Polyak 1964)",
       {number("lr", value(0.01), 0, 1e3, "learning rate", true),
        number("momentum", value(0.0), 0, 0.9999, "heavy-ball momentum"),
        boolean("nesterov", value(false), "Nesterov momentum"), weight_decay()},
       {},
       [](const SectionConfig& c, const std::vector<torch::Tensor>& parameters) {
         return trainers::make_sgd(parameters,
                                   torch::optim::SGDOptions(c.get<double>("lr"))
                                       .momentum(c.get<double>("momentum"))
                                       .nesterov(c.get<bool>("nesterov")),
                                   c.get<double>("weight_decay"));
       }},
      {"adam", "Adam (Kingma & Ba 2015)",
       {number("lr", value(0.001), 0, 1e3, "learning rate", true),
        number("beta1", value(0.9), 0, 0.9999, "first-moment decay"),
        number("beta2", value(0.999), 0, 0.999999, "second-moment decay"),
        number("eps", value(1e-8), 0, 1, "denominator offset", true), weight_decay()},
       {},
       [](const SectionConfig& c, const std::vector<torch::Tensor>& parameters) {
         return trainers::make_adam(parameters,
                                    torch::optim::AdamOptions(c.get<double>("lr"))
                                        .betas({c.get<double>("beta1"), c.get<double>("beta2")})
                                        .eps(c.get<double>("eps")),
                                    c.get<double>("weight_decay"));
       }}};
}

}  // namespace

const Registry<OptimizerFactory>& optimizer_registry() {
  static const Registry<OptimizerFactory> registry("optimizer", "sgd", "the optimiser", optimizers());
  return registry;
}

const Registry<ScheduleFactory>& schedule_registry() {
  static const Registry<ScheduleFactory> registry(
      "lr_schedule", "constant", "learning-rate decay over the run, lr(t) = lr0 factor(t/T)",
      {{"constant", "factor 1", {}, {}, trainers::constant_schedule},
       {"linear", "factor 1 - t/T (Tieleman 2008)", {}, {}, trainers::linear_schedule},
       {"cosine", "factor (1 + cos(pi t/T)) / 2 (Loshchilov & Hutter 2017)", {}, {}, trainers::cosine_schedule}});
  return registry;
}

}  // namespace ebm::experiments
