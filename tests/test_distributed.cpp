// Data-parallel training on c10d (distributed/world.h, cli/launch.h), on the loopback: two
// processes train as one on the same global batch, the averaged contrastive gradient is the
// gradient of the whole batch, a killed two-process run resumes to the uninterrupted one, and
// a dead rank ends the job with a message naming it.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "background_runs.h"
#include "distributed/world.h"
#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "samplers/block_gibbs.h"
#include "samplers/chain_source.h"
#include "support/numerical.h"
#include "trainers/annealed_likelihood.h"
#include "trainers/contrastive.h"

namespace ebm::distributed {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_ebm;

const std::string kQuick = "experiments/quickstart.yaml --set train.log_every=100";

// A TCP port free on the loopback now.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// The ranks a `--nproc 2` launcher started, once its log shows training under way (none if the
// launcher ends first); rank 1 is the later child.
std::vector<pid_t> ranks_of(pid_t launcher, const std::string& log) {
  while (read_text(log).find("step 100/") == std::string::npos) {
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(launcher), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == launcher) {
      ADD_FAILURE() << "the launcher ended before training got under way:\n" << read_text(log);
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::istringstream pids(testing::run_ebm_in_shell("pgrep -P " + std::to_string(launcher)).output);
  std::vector<pid_t> ranks;
  for (pid_t p; pids >> p;) ranks.push_back(p);
  std::sort(ranks.begin(), ranks.end());
  return ranks;
}

// The metric rows of a run, parsed.
std::vector<nlohmann::json> rows(const fs::path& run) {
  std::vector<nlohmann::json> out;
  std::istringstream in(read_text(run / "metrics.jsonl"));
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

// Every test needs a process group; a build without one (a LibTorch without Gloo) is checked to
// refuse --nproc with one clear message instead.
class Distributed : public ::testing::Test {
 protected:
  void SetUp() override {
    if (World::available()) return;
    testing::expect_refused(run_ebm("train " + kQuick + " --nproc 2"), std::string("--nproc: ") + World::kUnavailable);
    GTEST_SKIP() << World::kUnavailable;
  }
};

// The exact-likelihood gradient is deterministic: two processes on halves of each global batch
// end where one process on the whole batch does, up to the order of float additions.
TEST_F(Distributed, TwoProcessesTrainAsOneOnTheSameGlobalBatch) {
  const auto dir = testing::scratch_dir();
  const std::string exact = kQuick + " --set objective.type=exact --set train.steps=300";
  auto one = run_ebm("train " + exact + " --out '" + (dir / "one").string() + "'");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  auto two = run_ebm("train " + exact + " --nproc 2 --out '" + (dir / "two").string() + "'");
  ASSERT_EQ(two.exit_code, 0) << two.output;
  EXPECT_NE(two.output.find("started 2 processes"), std::string::npos) << two.output;
  const auto a = rows(dir / "one"), b = rows(dir / "two");
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    for (const char* key : {"exact_ll", "log_z", "loss"}) {
      EXPECT_NEAR(b[i][key].get<double>(), a[i][key].get<double>(), 1e-5) << key << " at step " << a[i]["step"];
    }
  }
  // Training moved the model (the comparison is not of two untrained models).
  EXPECT_GT(a.back()["exact_ll"].get<double>() - a.front()["exact_ll"].get<double>(), 1e-3);
}

// A sampler that leaves the chains where they start: the negatives are the ones given.
class FixedNegatives : public samplers::ChainSource {
 public:
  explicit FixedNegatives(torch::Tensor negatives) : negatives_(std::move(negatives)) {}
  torch::Tensor start(const torch::Tensor&) override { return negatives_; }
  std::string name() const override { return "fixed"; }

 private:
  torch::Tensor negatives_;
};

// The CD gradient's rank average, each rank on its half of the data and of the negatives,
// equals the single-process gradient on all of them: (1/2)(g_0 + g_1) = g.
TEST_F(Distributed, AveragedContrastiveGradientIsTheWholeBatchsGradient) {
  torch::manual_seed(3);
  const auto data = (torch::rand({8, 6}) < 0.5).to(torch::kFloat64);
  const auto negatives = (torch::rand({8, 6}) < 0.5).to(torch::kFloat64);
  auto reference = LayeredRBM(LayeredRBMOptions::bernoulli(6, 4).init_std(0.5));
  reference->to(torch::kFloat64);
  auto copy = [&] {  // the reference's parameters in a model of one's own
    auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(6, 4));
    rbm->to(torch::kFloat64);
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < rbm->parameters().size(); ++i) rbm->parameters()[i].copy_(reference->parameters()[i]);
    return rbm;
  };
  auto gradient = [&](LayeredRBM rbm, const torch::Tensor& rows, const torch::Tensor& chains) {
    trainers::ContrastiveObjective cd(std::make_shared<samplers::BlockGibbsSampler>(), std::make_shared<FixedNegatives>(chains),
                                      trainers::ContrastiveOptions().sampler_steps(0));
    cd.compute(*rbm, rows).loss.backward();
    std::vector<torch::Tensor> grads;
    for (const auto& p : rbm->parameters()) grads.push_back(p.grad());
    return grads;
  };
  const auto whole = gradient(copy(), data, negatives);

  // Two ranks in two threads of this process, meeting on a free port.
  const int port = free_port();
  std::vector<std::vector<torch::Tensor>> averaged(2);
  std::vector<std::string> errors(2);
  std::vector<std::thread> ranks;
  for (int r = 0; r < 2; ++r) {
    ranks.emplace_back([&, r] {
      try {
        auto world = World::connect(r, 2, "127.0.0.1", port, WorldOptions().timeout_s(30));
        auto grads = gradient(copy(), data.slice(0, 4 * r, 4 * r + 4),
                              negatives.slice(0, 4 * r, 4 * r + 4));
        world->average(grads);
        averaged[r] = grads;
      } catch (const std::exception& e) {
        errors[r] = e.what();
      }
    });
  }
  for (auto& t : ranks) t.join();
  for (int r = 0; r < 2; ++r) {
    ASSERT_TRUE(errors[r].empty()) << "rank " << r << ": " << errors[r];
    ASSERT_EQ(averaged[r].size(), whole.size());
    for (size_t i = 0; i < whole.size(); ++i) {
      EXPECT_TRUE(torch::allclose(averaged[r][i], whole[i], 1e-12, 1e-12)) << "rank " << r << ", parameter " << i;
      // Each half's own gradient is not the whole's: the average is what makes them agree.
    }
  }
  const auto half = gradient(copy(), data.slice(0, 0, 4), negatives.slice(0, 0, 4));
  EXPECT_FALSE(torch::allclose(half[0], whole[0], 1e-6, 1e-6));
}

// AIS and RAISE share their chains (rows) over a job's ranks: each rank walks its share from its
// own stream and every rank estimates from all the weights, so the ranks report one estimate of
// all the chains (an effective sample size above one rank's share can give), on the exact log Z
// and the exact log-likelihood of an enumerable RBM.
TEST_F(Distributed, AnnealingSharesItsChainsOverTheRanks) {
  const auto options = testing::RandomRBMOptions(20, 10).seed(150).weight_std(0.5).bias_std(0.5).dtype(torch::kFloat32);
  std::vector<LayeredRBM> models = {testing::random_rbm(options), testing::random_rbm(options)};  // one per rank
  const auto rows = exact_samples(*models[0], 200);
  const double exact_log_z = exact_log_partition(*models[0]);
  const double exact_ll = mean_log_likelihood(*models[0], rows, exact_log_z);
  const int port = free_port();
  std::vector<trainers::Metrics> ais(2), raise(2);
  std::vector<std::string> errors(2);
  std::vector<std::thread> ranks;
  for (int r = 0; r < 2; ++r) {
    ranks.emplace_back([&, r] {
      try {
        auto world = World::connect(r, 2, "127.0.0.1", port, WorldOptions().timeout_s(60));
        const auto annealing = trainers::AnnealingOptions().ais(samplers::AISOptions().chains(200).betas(3000)).repeats(3).world(world);
        const datasets::Dataset data(rows, "rows");
        ais[r] = trainers::AISLogLikelihood(annealing, rows).evaluate(*models[r], data);
        raise[r] = trainers::RAISELogLikelihood(annealing, rows).evaluate(*models[r], data);
      } catch (const std::exception& e) {
        errors[r] = e.what();
      }
    });
  }
  for (auto& t : ranks) t.join();
  for (int r = 0; r < 2; ++r) ASSERT_TRUE(errors[r].empty()) << "rank " << r << ": " << errors[r];
  EXPECT_EQ(ais[0], ais[1]);
  EXPECT_EQ(raise[0], raise[1]);
  EXPECT_GT(ais[0]["ais_ess"].get<double>(), 100.0) << ais[0].dump();  // one rank's 100 chains give at most 100
  EXPECT_GT(ais[0]["ais_reverse_ess"].get<double>(), 100.0) << ais[0].dump();
  EXPECT_NEAR(ais[0]["ais_log_z"].get<double>(), exact_log_z, 0.05) << ais[0].dump();
  EXPECT_NEAR(ais[0]["ais_log_z_reverse"].get<double>(), exact_log_z, 0.05) << ais[0].dump();
  EXPECT_NEAR(raise[0]["raise_ll"].get<double>(), exact_ll, 0.05) << raise[0].dump();
  EXPECT_EQ(raise[0]["raise_rows"].get<int64_t>(), 200);
}

// In a training job every rank takes its share of the evaluation's AIS chains (the row rank 0
// writes pools them all) while rank 0 alone runs the other evaluators.
TEST_F(Distributed, ATrainingJobSharesItsAISChains) {
  const auto dir = testing::scratch_dir();
  auto r = run_ebm("train " + kQuick + " --set train.steps=200 --set eval.ais=true --set eval.ais_chains=100 "
                   "--set eval.ais_betas=1000 --set eval.ais_repeats=2 --nproc 2 --out '" + (dir / "run").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto last = rows(dir / "run").back();
  EXPECT_GT(last["ais_ess"].get<double>(), 50.0) << last.dump();
  EXPECT_NEAR(last["ais_log_z"].get<double>(), last["log_z"].get<double>(), 0.1) << last.dump();
}

// A two-process PCD run killed with SIGKILL (launcher and ranks) after a checkpoint resumes
// with two processes and ends as the uninterrupted two-process run: every rank's chains and
// generator are in the checkpoint.
TEST_F(Distributed, AKilledTwoProcessPcdRunResumesToTheUninterruptedOne) {
  const auto dir = testing::scratch_dir();
  const std::string pcd = kQuick + " --set train.steps=4000 --set train.checkpoint_every=100 --nproc 2";
  ASSERT_EQ(run_ebm("train " + pcd + " --out '" + (dir / "whole").string() + "'").exit_code, 0);
  const auto killed = dir / "killed";
  const pid_t launcher = testing::start_ebm("train " + pcd + " --out '" + killed.string() + "'");
  // The first checkpoint comes at step 100 of 4,000.
  while (!fs::exists(killed / "checkpoint.pt")) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(launcher, SIGKILL);
  waitpid(launcher, nullptr, 0);
  ASSERT_FALSE(fs::exists(killed / "summary.json"));
  auto refused = run_ebm("train --resume '" + killed.string() + "'");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("was written by 2 processes; resume it with as many (--nproc 2), not 1"), std::string::npos)
      << refused.output;
  auto resumed = run_ebm("train --resume '" + killed.string() + "' --nproc 2");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(testing::metrics_without_timing(killed), testing::metrics_without_timing(dir / "whole"));
}

// A rank that dies ends the job: the launcher names it, stops the others and exits 1.
TEST_F(Distributed, AKilledRankEndsTheJobWithAMessage) {
  const auto dir = testing::scratch_dir();
  const auto log = (dir / "log").string();
  const pid_t launcher =
      testing::start_ebm("train " + kQuick + " --set train.steps=10000000 --nproc 2 --out '" + (dir / "run").string() + "'", log);
  const auto ranks = ranks_of(launcher, log);
  ASSERT_EQ(ranks.size(), 2u);
  kill(ranks[1], SIGKILL);
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  waitpid(launcher, &status, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 15.0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const auto output = read_text(log);
  EXPECT_NE(output.find("rank 1 was killed by signal"), std::string::npos) << output;
  EXPECT_NE(output.find("stopping the other ranks"), std::string::npos) << output;
}

// A rank that hangs (stopped with SIGSTOP) ends the job too: the others' collective gives up
// after --timeout, and the launcher stops the rest (SIGKILL reaches a stopped process).
TEST_F(Distributed, AHungRankEndsTheJobAfterTheTimeout) {
  const auto dir = testing::scratch_dir();
  const auto log = (dir / "log").string();
  const pid_t launcher = testing::start_ebm(
      "train " + kQuick + " --set train.steps=10000000 --nproc 2 --timeout 3 --out '" + (dir / "run").string() + "'", log);
  const auto ranks = ranks_of(launcher, log);
  ASSERT_EQ(ranks.size(), 2u);
  kill(ranks[1], SIGSTOP);
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  waitpid(launcher, &status, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(seconds, 2.5);   // not before the timeout
  EXPECT_LT(seconds, 40.0);  // the timeout, then SIGTERM after 10 s and SIGKILL after 20 s
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(read_text(log).find("failed (another rank ended or hung)"), std::string::npos) << read_text(log);
  EXPECT_EQ(kill(ranks[1], 0), -1);  // no rank is left behind
}

// `ebm ARGS` with environment variables set.
testing::CommandResult run_ebm_with(const std::string& variables, const std::string& args) {
  return testing::run_ebm_in_shell(variables + " '" + std::string(EBM_BINARY) + "' " + args);
}

// The environment of a job, checked: what is missing or malformed, a port in use, a master that
// does not answer and ranks that were given different configs are named.
TEST_F(Distributed, ABadJobIsNamed) {
  testing::expect_refused(run_ebm_with("WORLD_SIZE=2", "train " + kQuick), "WORLD_SIZE is set, so RANK must be too");
  testing::expect_refused(run_ebm_with("WORLD_SIZE=2 RANK=2 MASTER_PORT=1", "train " + kQuick),
                          "the environment variable RANK is '2': it must be an integer from 0 to 1");
  // A port some other program listens on.
  const int busy = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(busy, 1), 0);
  ASSERT_EQ(getsockname(busy, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string port = std::to_string(ntohs(address.sin_port));
  testing::expect_refused(run_ebm_with("WORLD_SIZE=1 RANK=0 MASTER_PORT=" + port, "train " + kQuick + " --set train.steps=1"),
                          "rank 0 cannot host the job's store at 127.0.0.1:" + port);
  close(busy);
  // Nobody hosts the store: rank 1 gives up after --timeout.
  const std::string nobody = std::to_string(free_port());
  testing::expect_refused(run_ebm_with("WORLD_SIZE=2 RANK=1 MASTER_PORT=" + nobody, "train " + kQuick + " --timeout 2"),
                          "rank 1 cannot reach the job's store at 127.0.0.1:" + nobody);
  // Two ranks started by hand with different configs.
  const auto dir = testing::scratch_dir();
  const std::string shared = "WORLD_SIZE=2 MASTER_PORT=" + std::to_string(free_port());
  const pid_t rank1 = fork();
  if (rank1 == 0) {
    const auto r = run_ebm_with(shared + " RANK=1", "train " + kQuick + " --set seed=5 --timeout 20");
    _exit(r.exit_code);
  }
  auto r0 = run_ebm_with(shared + " RANK=0", "train " + kQuick + " --timeout 20 --out '" + (dir / "run").string() + "'");
  int status = 0;
  waitpid(rank1, &status, 0);
  testing::expect_refused(r0, "rank 1's config differs from rank 0's");
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace ebm::distributed
