#include "experiments/schema.h"

namespace ebm::experiments {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

Field build_schema() {
  Field data = variant_section(
      "data", "bars_and_stripes",
      {{"bars_and_stripes",
        {integer("size", value(4), 2, 12, "images are size x size pixels; 2^(size+1) patterns")}}},
      "the training data");

  Field model = variant_section(
      "model", "bernoulli_rbm",
      {{"bernoulli_rbm",
        {integer("hidden", required(), 1, 100000, "number of hidden units"),
         number("init_std", value(0.01), 0, 10, "std of the initial weights"),
         boolean("visible_bias_from_data", value(true),
                 "start visible biases at the log-odds of the data marginals")}}},
      "the energy model; the visible size comes from the data");

  Field sampler = variant_section(
      "sampler", "gibbs",
      {{"gibbs", {integer("steps", value(1), 1, 1e6, "transitions per training step (the k of CD-k)")}},
       {"parallel_tempering",
        {integer("steps", value(1), 1, 1e6, "sweeps (Gibbs on every replica, then swaps) per training step"),
         integer("temperatures", value(10), 2, 1000, "replicas, the beta = 1 chain included"),
         number("min_beta", value(0.1), 0, 0.999999, "the hottest replica's inverse temperature; "
                "the ladder is evenly spaced in beta up to 1")}}},
      "the MCMC kernel of the negative phase");

  Field objective = variant_section(
      "objective", "contrastive",
      {{"contrastive",
        {choice("chain_source", value("data"), {"data", "persistent"},
                "where negative chains start: data (CD) or persistent (PCD)"),
         integer("chains", value(0), 0, 1e7, "persistent chains; 0 = the batch size")}}},
      "the training objective");

  Field optimizer = variant_section(
      "optimizer", "sgd",
      {{"sgd",
        {number("lr", value(0.01), 0, 1e3, "learning rate", true),
         number("momentum", value(0.0), 0, 0.9999, "heavy-ball momentum"),
         boolean("nesterov", value(false), "Nesterov momentum"),
         number("weight_decay", value(0.0), 0, 1, "L2 penalty on weight matrices")}},
       {"adam",
        {number("lr", value(0.001), 0, 1e3, "learning rate", true),
         number("beta1", value(0.9), 0, 0.9999, "first-moment decay"),
         number("beta2", value(0.999), 0, 0.999999, "second-moment decay"),
         number("eps", value(1e-8), 0, 1, "denominator offset", true),
         number("weight_decay", value(0.0), 0, 1, "L2 penalty on weight matrices")}}},
      "the optimiser");

  Field train = section(
      "train",
      {integer("steps", value(1000), 1, 1e10, "parameter updates"),
       integer("batch_size", value(32), 1, 1e7, "examples per update"),
       choice("lr_schedule", value("constant"), {"constant", "linear", "cosine"},
              "learning-rate decay over the run"),
       integer("log_every", value(100), 1, 1e10, "steps between metric rows"),
       integer("checkpoint_every", value(0), 0, 1e10,
               "steps between checkpoints (a multiple of log_every); 0 = at the end only")},
      "the training loop");

  Field eval = section(
      "eval",
      {boolean("exact_ll", value(true),
               "exact log-likelihood by enumeration (RBMs with <= 24 units on a layer)")},
      "metrics computed at each log step");

  return section(
      "",
      {text("name", value(""), "run name; empty = the config file's name"),
       integer("seed", value(0), 0, 9.2e18, "seeds every random draw"),
       integer("threads", value(0), 0, 1024, "CPU threads; 0 = all cores"),
       choice("device", value("cpu"), {"cpu", "cuda"}, "where tensors live"),
       choice("dtype", value("float32"), {"float32", "float64"}, "training precision"),
       data, model, sampler, objective, optimizer, train, eval},
      "an experiment");
}
}  // namespace

const Field& experiment_schema() {
  static const Field schema = build_schema();
  return schema;
}

}  // namespace ebm::experiments
