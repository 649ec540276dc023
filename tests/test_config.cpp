// Strict config validation: every error names the key, where it came from and what is allowed.
#include <gtest/gtest.h>

#include "config/experiment.h"
#include "config/schema.h"
#include "io/out_of_memory.h"
#include "test_support.h"

namespace ebm::experiments {
namespace {

const char* kBase = R"(seed: 3
data:
  type: bars_and_stripes
  size: 3
model:
  type: bernoulli_rbm
  hidden: 8
optimizer:
  type: sgd
  lr: 0.1
train:
  steps: 10
)";

Config parse(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  return Config::parse(yaml, "test.yaml", overrides, experiment_schema());
}

std::string error_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    parse(yaml, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Config, FillsDefaultsAndKeepsValues) {
  Config c = parse(kBase);
  EXPECT_EQ(c.get<int64_t>("seed"), 3);
  EXPECT_EQ(c.get<int64_t>("model.hidden"), 8);
  EXPECT_DOUBLE_EQ(c.get<double>("optimizer.lr"), 0.1);
  EXPECT_DOUBLE_EQ(c.get<double>("optimizer.momentum"), 0.0);
  EXPECT_EQ(c.get<std::string>("objective.chain_source"), "data");
  EXPECT_EQ(c.get<int64_t>("train.batch_size"), 32);
  // The resolved YAML parses back to the same config.
  Config again = parse(c.to_yaml());
  EXPECT_EQ(again.to_yaml(), c.to_yaml());
}

TEST(Config, MisspeltKeyIsNamedWithItsLineAndASuggestion) {
  std::string yaml = kBase;
  yaml.replace(yaml.find("hidden: 8"), 9, "hiden: 8");
  std::string message = error_of(yaml);
  EXPECT_NE(message.find("test.yaml:7:3"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key 'model.hiden'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'model.hidden'"), std::string::npos) << message;
}

TEST(Config, WrongTypeAndRangeNameKeyAndWhatIsAllowed) {
  std::string message = error_of(std::string(kBase) + "  batch_size: many\n");
  EXPECT_NE(message.find("test.yaml:13:15: train.batch_size = 'many' is not an integer"), std::string::npos) << message;
  message = error_of(std::string(kBase) + "  log_every: 0\n");
  EXPECT_NE(message.find("train.log_every = '0' is out of range; allowed: an integer"), std::string::npos) << message;
  std::string yaml = kBase;
  yaml.replace(yaml.find("lr: 0.1"), 7, "lr: -1");
  message = error_of(yaml);
  EXPECT_NE(message.find("optimizer.lr = '-1' is out of range; allowed: a number in (0, 1000]"), std::string::npos) << message;
  yaml = kBase;
  yaml.replace(yaml.find("type: sgd"), 9, "type: rmsprop");
  message = error_of(yaml);
  EXPECT_NE(message.find("optimizer.type = 'rmsprop' is not allowed; allowed: one of: adam, sgd"), std::string::npos) << message;
}

TEST(Config, KeysBelongToTheChosenVariant) {
  std::string yaml = kBase;
  yaml.replace(yaml.find("type: sgd"), 9, "type: adam\n  momentum: 0.9");
  std::string message = error_of(yaml);
  EXPECT_NE(message.find("unknown key 'optimizer.momentum'"), std::string::npos) << message;
  EXPECT_NE(message.find("(type adam)"), std::string::npos) << message;
}

TEST(Config, SwitchingATypeOnTheCommandLineRestartsTheSection) {
  std::string yaml = std::string(kBase) + "sampler:\n  type: gibbs\n  steps: 7\n";
  yaml.replace(yaml.find("lr: 0.1"), 7, "lr: 0.1\n  momentum: 0.9");
  Config c = parse(yaml, {"optimizer.type=adam", "optimizer.beta1=0.5"});
  EXPECT_EQ(c.get<std::string>("optimizer.type"), "adam");
  EXPECT_EQ(c.get<double>("optimizer.lr"), 0.001);  // adam's default, not the file's sgd value
  EXPECT_EQ(c.get<double>("optimizer.beta1"), 0.5);  // later overrides refine the new type
  EXPECT_FALSE(c.root()["optimizer"]["momentum"]);
  // Setting the type the file already has keeps the section.
  EXPECT_EQ(parse(yaml, {"sampler.type=gibbs"}).get<int64_t>("sampler.steps"), 7);
  // The probe's case: a key given before the type that restarts its section is kept, not
  // reported missing against the --set that gave it.
  Config gaussian = parse(yaml, {"model.hidden=4", "model.type=gaussian_bernoulli_rbm"});
  EXPECT_EQ(gaussian.get<std::string>("model.type"), "gaussian_bernoulli_rbm");
  EXPECT_EQ(gaussian.get<int64_t>("model.hidden"), 4);
  EXPECT_EQ(parse(yaml, {"optimizer.beta1=0.5", "optimizer.type=adam"}).get<double>("optimizer.beta1"), 0.5);
}

// A failed allocation names the keys that size it, largest first, with where each was set.
TEST(Config, AnAllocationFailureNamesTheSizesBehindIt) {
  const Config c = parse(kBase, {"train.batch_size=5000000"});
  try {
    try {
      TORCH_CHECK(false, "DefaultCPUAllocator: not enough memory: you tried to allocate 64000000000 bytes.");
    } catch (const c10::Error&) {
      rethrow_naming_sizes(c, "in training", {"train.batch_size", "model"});
    }
    FAIL() << "nothing thrown";
  } catch (const io::OutOfMemory& e) {
    EXPECT_EQ(std::string(e.what()),
              "out of memory: an allocation of 64 GB failed in training; its largest sizes: train.batch_size = 5000000 "
              "(--set train.batch_size=5000000), model.hidden = 8 (test.yaml:7:11)");
  }
  // Any other LibTorch error passes through as it was.
  try {
    TORCH_CHECK(false, "shapes differ");
  } catch (const c10::Error&) {
    EXPECT_THROW(rethrow_naming_sizes(c, "in training", {"model"}), c10::Error);
  }
}

TEST(Config, MissingRequiredKey) {
  std::string yaml = kBase;
  yaml.replace(yaml.find("  hidden: 8\n"), 12, "");
  EXPECT_NE(error_of(yaml).find("missing required key 'model.hidden'"), std::string::npos) << error_of(yaml);
}

TEST(Config, OverridesAreValidatedAndNamed) {
  Config c = parse(kBase, {"train.steps=400", "optimizer.momentum=0.5"});
  EXPECT_EQ(c.get<int64_t>("train.steps"), 400);
  EXPECT_DOUBLE_EQ(c.get<double>("optimizer.momentum"), 0.5);
  EXPECT_NE(error_of(kBase, {"train.stpes=4"}).find("--set train.stpes=4: unknown key 'train.stpes'"),
            std::string::npos) << error_of(kBase, {"train.stpes=4"});
  EXPECT_NE(error_of(kBase, {"train.steps=-4"}).find("--set train.steps=-4: train.steps = '-4' is out of range"),
            std::string::npos);
  EXPECT_NE(error_of(kBase, {"train.steps"}).find("expected KEY=VALUE"), std::string::npos);
  EXPECT_NE(error_of(kBase, {"seed.x=1"}).find("'seed' is not a section"), std::string::npos);
}

TEST(Config, SyntaxErrorsAndNonMapsAreReported) {
  EXPECT_NE(error_of("model: [1, 2").find("test.yaml:"), std::string::npos);
  EXPECT_NE(error_of("- 1\n- 2\n").find("must be a map"), std::string::npos);
  EXPECT_NE(error_of("model: 3\n").find("model must be a section"), std::string::npos);
  // A ',' outside brackets (found by fuzz_config: yaml-cpp's LoadAll looped for ever on ",e").
  EXPECT_EQ(error_of(",e"), "test.yaml:1:1: YAML syntax error: ',' where a key or a value should be (a ',' belongs inside [ ] or { })");
  EXPECT_NE(error_of(std::string(kBase) + "---\n,e").find("test.yaml:14:1: YAML syntax error: ','"), std::string::npos)
      << error_of(std::string(kBase) + "---\n,e");
  EXPECT_EQ(error_of(kBase, {"model.hidden=,5"}),
            "--set model.hidden=,5 (character 1 of the value): YAML syntax error: ',' where a key or a value should be "
            "(a ',' belongs inside [ ] or { })");
}

// The message of the ConfigError that building the base experiment with `overrides` raises.
std::string build_error_of(const std::vector<std::string>& overrides) {
  try {
    build_experiment(parse(kBase, overrides), "test");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Config, CrossKeyChecksRunBeforeAnyWork) {
  std::string message = build_error_of({"train.log_every=3", "train.checkpoint_every=5"});
  EXPECT_NE(message.find("--set train.checkpoint_every=5: train.checkpoint_every: must be a multiple"), std::string::npos)
      << message;
  message = build_error_of({"train.log_every=4", "train.eval_every=6"});
  EXPECT_NE(message.find("--set train.eval_every=6: train.eval_every: must be 0 or a multiple of train.log_every (4)"),
            std::string::npos) << message;
  EXPECT_EQ(build_error_of({"train.log_every=4", "train.eval_every=8"}), "no error");
  // CUDA graphs: required on a CPU is an error; auto (the default) and off run without them.
  message = build_error_of({"train.cuda_graphs=on"});
  EXPECT_NE(message.find("train.cuda_graphs: is on, but device is cpu (CUDA graphs need device: cuda)"), std::string::npos)
      << message;
  message = build_error_of({"train.cuda_graphs=on", "objective.type=pseudo_likelihood"});
  EXPECT_NE(message.find("train.cuda_graphs: is on, but the pseudo_likelihood objective runs no sampler"), std::string::npos)
      << message;
  EXPECT_EQ(build_error_of({"train.cuda_graphs=auto"}), "no error");
  EXPECT_EQ(build_error_of({"train.cuda_graphs=off"}), "no error");
}

TEST(Config, ShippedConfigsValidate) {
  Config c = Config::load(std::string(EBM_SOURCE_DIR) + "/experiments/quickstart.yaml", {}, experiment_schema());
  EXPECT_EQ(c.get<int64_t>("model.hidden"), 16);
  EXPECT_EQ(c.get<int64_t>("data.size"), 4);
}

TEST(CommandLine, MisspeltKeyExitsTwoNamingTheKey) {
  auto dir = testing::scratch_dir();
  std::string yaml = kBase;
  yaml.replace(yaml.find("steps: 10"), 9, "stesp: 10");
  testing::write_text(dir / "bad.yaml", yaml);
  auto result = testing::run_ebm("train '" + (dir / "bad.yaml").string() + "' --out '" + (dir / "run").string() + "'");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("bad.yaml:12:3: unknown key 'train.stesp' (did you mean 'train.steps'?)"),
            std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "run"));  // stopped before any work
}

TEST(CommandLine, BadFlagsAndMissingFilesExitTwo) {
  EXPECT_EQ(testing::run_ebm("train --no-such-flag x.yaml").exit_code, 2);
  auto missing = testing::run_ebm("train /nonexistent/config.yaml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("/nonexistent/config.yaml: cannot read the config file"), std::string::npos);
  auto resume = testing::run_ebm("train --resume /nonexistent/run");
  EXPECT_EQ(resume.exit_code, 2);
  EXPECT_NE(resume.output.find("/nonexistent/run: no such run directory"), std::string::npos) << resume.output;
}

}  // namespace
}  // namespace ebm::experiments

namespace ebm::experiments {
namespace {

TEST(Config, ReferenceDocumentMatchesTheSchema) {
  auto documented = testing::read_text(std::string(EBM_SOURCE_DIR) + "/docs/CONFIG.md");
  EXPECT_EQ(documented, schema_markdown(experiment_schema()))
      << "docs/CONFIG.md is stale: regenerate it with `build/ebm schema > docs/CONFIG.md`";
}

}  // namespace
}  // namespace ebm::experiments

namespace ebm::experiments {
namespace {

// Training a data_density model must not move the density true_ll scores against.
TEST(Config, DataDensityModelIsACopyOfTheTruth) {
  Config c = parse("data: {type: eight_gaussians, train_size: 100, held_out: 10}\nmodel: {type: data_density}\n"
                   "sampler: {type: mala}\nobjective: {type: score_matching}\neval: {true_ll: true}\n");
  Experiment e = build_experiment(c, "t");
  ASSERT_TRUE(e.truth);
  EXPECT_NE(static_cast<void*>(e.model.get()), static_cast<void*>(e.truth.get()));
  EXPECT_TRUE(e.model->parameters()[0].equal(e.truth->parameters()[0].to(e.model->parameters()[0].dtype())));
}

}  // namespace
}  // namespace ebm::experiments
