// Block Gibbs sampling against the exact distribution of an enumerable RBM, and chain sources.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "ebm/layered_rbm.h"
#include "ebm/exact_enumeration.h"
#include "samplers/block_gibbs.h"
#include "samplers/chain_source.h"

namespace ebm::samplers {
namespace {

TEST(BlockGibbs, StationaryDistributionIsTheModel) {
  torch::manual_seed(5);
  auto rbm = LayeredRBM(LayeredRBMOptions::bernoulli(3, 2).init_std(1.5));
  {
    torch::NoGradGuard no_grad;
    rbm->visible_field().copy_(torch::tensor({1.0, -1.0, 0.5}));
    rbm->hidden_field().copy_(torch::tensor({-0.5, 0.8}));
  }
  rbm->to(torch::kFloat64);
  auto states = all_binary_states(3);
  auto exact = torch::softmax(-rbm->energy(states).detach(), 0);

  const int64_t chains = 40000;
  BlockGibbsSampler gibbs;
  auto v = gibbs.run(*rbm, torch::zeros({chains, 3}, torch::kFloat64), 30);
  auto code = (v.select(1, 0) + 2 * v.select(1, 1) + 4 * v.select(1, 2)).to(torch::kLong);
  auto frequency = torch::bincount(code, {}, 8).to(torch::kFloat64) / chains;
  auto five_sigma = 5 * torch::sqrt(exact * (1 - exact) / chains);
  EXPECT_TRUE(((frequency - exact).abs() < five_sigma).all().item<bool>())
      << "frequency " << frequency << "\nexact " << exact;
  // A stuck or wrong kernel would leave the chains near their all-zero start.
  EXPECT_LT(frequency[0].item<double>(), 0.5);
}

class NotLatent : public EnergyModelImpl {
 public:
  torch::Tensor energy(const torch::Tensor& x) override { return x.sum(1); }
  int64_t dim() const override { return 2; }
  Domain domain() const override { return Domain::Continuous; }
  std::string type_name() const override { return "not_latent"; }
};

TEST(BlockGibbs, RefusesModelsWithoutConditionals) {
  NotLatent model;
  BlockGibbsSampler gibbs;
  EXPECT_THROW(gibbs.run(model, torch::zeros({1, 2}), 1), std::invalid_argument);
}

TEST(ChainSources, DataRestartsAtTheBatchAndPersistentContinues) {
  auto batch = torch::rand({8, 4});
  DataChainSource data;
  EXPECT_TRUE(data.start(batch).equal(batch));

  PersistentChainSource persistent(5);
  auto first = persistent.start(batch);
  ASSERT_EQ(first.size(0), 5);
  for (int64_t i = 0; i < 5; ++i) {  // every chain starts at some data row
    EXPECT_TRUE((batch - first[i]).abs().sum(1).eq(0).any().item<bool>());
  }
  auto moved = torch::rand({5, 4});
  persistent.finish(moved);
  EXPECT_TRUE(persistent.start(torch::rand({8, 4})).equal(moved));

  torch::serialize::OutputArchive out;
  persistent.save(out);
  std::stringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  in.load_from(bytes);
  PersistentChainSource restored(5);
  restored.load(in);
  EXPECT_TRUE(restored.start(batch).equal(moved));
}

}  // namespace
}  // namespace ebm::samplers
