#include "experiments/schema.h"

#include "datasets/toy_2d.h"
#include "ebm/mlp_energy.h"

namespace ebm::experiments {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

Field build_schema() {
  std::map<std::string, std::vector<Field>> data_variants = {
      {"bars_and_stripes",
       {integer("size", value(4), 2, 12, "images are size x size pixels; 2^(size+1) patterns")}}};
  data_variants["fashion_mnist"] = {
      integer("train_size", value(60000), 1, 60000, "training images (the first ones of the training file)"),
      integer("held_out", value(2000), 0, 10000, "test images that evaluators score")};
  for (const auto& name : datasets::toy_2d_names()) {
    data_variants[name] = {integer("train_size", value(10000), 1, 1e8, "training points, drawn with the seed"),
                           integer("held_out", value(2000), 0, 1e8, "further points that evaluators score")};
  }
  Field data = variant_section("data", "bars_and_stripes", data_variants,
                               "the training data; the 2-D sets are described in datasets/toy_2d.h; "
                               "fashion_mnist is 28x28 images in [0, 1] installed by scripts/setup");

  Field model = variant_section(
      "model", "bernoulli_rbm",
      {{"bernoulli_rbm",
        {integer("hidden", required(), 1, 100000, "number of hidden units"),
         number("init_std", value(0.01), 0, 10, "std of the initial weights"),
         boolean("visible_bias_from_data", value(true),
                 "start visible biases at the log-odds of the data marginals")}},
       {"mlp",
        {integer("width", value(128), 1, 100000, "units in each hidden layer"),
         integer("depth", value(3), 1, 100, "linear layers, the scalar output layer included"),
         choice("activation", value("silu"), MLPEnergyImpl::activations(), "hidden-layer nonlinearity"),
         boolean("spectral_norm", value(false), "divide each weight by its largest singular value")}},
       {"convnet",
        {integer("base_channels", value(32), 1, 4096, "channels of the first convolution (then x2, x4)")}},
       {"gaussian", {}},
       {"data_density", {}}},
      "the energy model; the visible size comes from the data. convnet: square single-channel images. gaussian: a trainable full-covariance "
      "Gaussian starting at N(0, I). data_density: the data's exact density (mixture data only), "
      "an analytic target for samplers");

  Field sampler = variant_section(
      "sampler", "gibbs",
      {{"gibbs", {integer("steps", value(1), 1, 1e6, "transitions per training step (the k of CD-k)")}},
       {"parallel_tempering",
        {integer("steps", value(1), 1, 1e6, "sweeps (Gibbs on every replica, then swaps) per training step"),
         integer("temperatures", value(10), 2, 1000, "replicas, the beta = 1 chain included"),
         number("min_beta", value(0.1), 0, 0.999999, "the hottest replica's inverse temperature; "
                "the ladder is evenly spaced in beta up to 1")}},
       {"langevin",
        {integer("steps", value(20), 1, 1e6, "Langevin steps per training step"),
         number("step_size", value(0.01), 0, 1e3, "eps in x' = x - (eps/2) grad E + noise_scale xi", true),
         number("noise_scale", value(-1.0), -1, 1e3, "noise std; -1 = sqrt(step_size), the exact discretisation"),
         number("grad_clip", value(0.0), 0, 1e6, "clamp each gradient element to +-grad_clip; 0 = off")}},
       {"mala",
        {integer("steps", value(20), 1, 1e6, "Metropolis-adjusted Langevin steps per training step"),
         number("step_size", value(0.01), 0, 1e3, "eps of the Langevin proposal", true)}},
       {"hmc",
        {integer("steps", value(5), 1, 1e6, "trajectories per training step"),
         number("step_size", value(0.05), 0, 1e3, "leapfrog step", true),
         integer("leapfrog_steps", value(10), 1, 1e5, "leapfrog steps per trajectory")}},
       {"random_walk",
        {integer("steps", value(50), 1, 1e7, "Metropolis-Hastings steps per training step"),
         number("proposal_std", value(0.1), 0, 1e3, "Gaussian proposal std (binary models flip one unit)", true)}}},
      "the MCMC kernel of the negative phase");

  Field objective = variant_section(
      "objective", "contrastive",
      {{"contrastive",
        {choice("chain_source", value("data"), {"data", "persistent", "noise", "replay"},
                "where negative chains start: data (CD), persistent (PCD), noise (short-run) or a "
                "replay buffer"),
         integer("chains", value(0), 0, 1e7, "negative chains per step; 0 = the batch size"),
         integer("buffer_size", value(10000), 1, 1e8, "replay buffer capacity"),
         number("reinit_prob", value(0.05), 0, 1, "replay: chance that a chain restarts from noise"),
         number("energy_l2", value(0.0), 0, 1e6, "alpha of the penalty alpha (E+^2 + E-^2); 0 = off")}},
       {"score_matching", {}},
       {"denoising_score_matching",
        {number("noise_std", value(0.1), 0, 1e6, "sigma of the smallest noise scale", true),
         integer("scales", value(1), 1, 100, "noise scales sigma, sigma r, sigma r^2, ..."),
         number("scale_ratio", value(2.0), 1, 1e3, "r, the ratio between neighbouring scales")}},
       {"sliced_score_matching",
        {integer("projections", value(1), 1, 1000, "random directions per example"),
         choice("distribution", value("gaussian"), {"gaussian", "rademacher"}, "distribution of the directions"),
         boolean("variance_reduced", value(true), "use 1/2 |grad E|^2 in place of 1/2 (v . grad E)^2")}},
       {"nce",
        {choice("noise", value("gaussian"), {"gaussian", "uniform", "bernoulli"},
                "noise distribution: a Gaussian fitted to the data, uniform on its box widened by 10%, "
                "or independent bits with the data's marginals (binary data)"),
         number("noise_ratio", value(1.0), 0, 1e4, "noise samples per data sample (nu)", true)}},
       {"pseudo_likelihood", {}},
       {"ratio_matching", {}},
       {"mpf", {}}},
      "the training objective. contrastive: noise is uniform on the data's bounding box widened by 10% "
      "(coin flips for binary data). score_matching, denoising_score_matching, sliced_score_matching "
      "and nce train continuous models without a sampler; pseudo_likelihood, ratio_matching and mpf "
      "train models of binary data");

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
       number("grad_clip", value(0.0), 0, 1e10, "rescale each update's gradient to at most this L2 norm; 0 = off"),
       integer("log_every", value(100), 1, 1e10, "steps between metric rows"),
       integer("checkpoint_every", value(0), 0, 1e10,
               "steps between checkpoints (a multiple of log_every); 0 = at the end only")},
      "the training loop");

  Field eval = section(
      "eval",
      {boolean("exact_ll", value(false),
               "exact log-likelihood by enumeration (RBMs with <= 24 units on a layer)"),
       boolean("grid_ll", value(false), "held-out log-likelihood with log Z by grid quadrature (2-D models)"),
       boolean("true_ll", value(false), "held-out log-likelihood under the data's exact density (mixture data)"),
       boolean("mode_coverage", value(false),
               "fraction of the mixture's modes given a quarter of their fair share of model samples, "
               "and off_mode, the share of samples near no mode"),
       boolean("mmd2", value(false), "unbiased squared MMD (RBF kernel, median bandwidth) between model "
               "samples and held-out data"),
       integer("grid_resolution", value(200), 10, 4000, "cells per side of the quadrature grid"),
       number("grid_box", value(0.0), 0, 1e6, "the grid covers [-grid_box, grid_box]^2; 0 = the data's "
              "bounding square widened by 25%"),
       integer("samples", value(2000), 10, 1e7, "model samples (exact draws from the gridded density) "
               "for mode_coverage and mmd2")},
      "metrics computed at each log step; the first enabled one in this order defines 'best'");

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
