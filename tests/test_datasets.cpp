// Bars and stripes against its definition, the batch iterator's epoch and resume behaviour, and
// the IDX image reader.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>

#include "datasets/bars_and_stripes.h"
#include "test_support.h"

namespace ebm::datasets {
namespace {

TEST(BarsAndStripes, HasEveryPatternWithAllOffAndAllOnTwice) {
  const int64_t n = 4;
  auto data = bars_and_stripes(n);
  ASSERT_EQ(data.size(), 32);
  ASSERT_EQ(data.dim(), 16);
  EXPECT_TRUE(data.is_binary());
  std::map<std::vector<float>, int> counts;
  for (int64_t r = 0; r < data.size(); ++r) {
    auto image = data.data()[r].view({n, n});
    bool stripes = image.eq(image.select(1, 0).unsqueeze(1)).all().item<bool>();  // rows constant
    bool bars = image.eq(image.select(0, 0).unsqueeze(0)).all().item<bool>();     // columns constant
    EXPECT_TRUE(stripes || bars) << image;
    auto row = data.data()[r].contiguous();
    counts[std::vector<float>(row.data_ptr<float>(), row.data_ptr<float>() + 16)]++;
  }
  EXPECT_EQ(counts.size(), 30u);
  EXPECT_EQ(counts[std::vector<float>(16, 0.f)], 2);
  EXPECT_EQ(counts[std::vector<float>(16, 1.f)], 2);
}

TEST(BarsAndStripes, ColouredPatternsAreOneHotPixelsAndTheirOptimumTheEmpiricalEntropy) {
  const int64_t n = 3, q = 3;
  auto data = bars_and_stripes(n, q);
  ASSERT_EQ(data.size(), 2 * 27);
  ASSERT_EQ(data.dim(), n * n * q);
  EXPECT_TRUE(data.is_binary());
  const auto pixels = data.data().view({data.size(), n, n, q});
  EXPECT_TRUE(torch::equal(pixels.sum(3), torch::ones({data.size(), n, n})));  // one colour per pixel
  const auto colours = pixels.argmax(3);
  std::map<std::vector<int64_t>, int> counts;
  for (int64_t r = 0; r < data.size(); ++r) {
    const auto image = colours[r];
    const bool stripes = image.eq(image.select(1, 0).unsqueeze(1)).all().item<bool>();
    const bool bars = image.eq(image.select(0, 0).unsqueeze(0)).all().item<bool>();
    EXPECT_TRUE(stripes || bars) << image;
    const auto flat = image.flatten().contiguous();
    counts[std::vector<int64_t>(flat.data_ptr<int64_t>(), flat.data_ptr<int64_t>() + n * n)]++;
  }
  EXPECT_EQ(counts.size(), 54u - 3u);  // the 3 single-colour images twice
  double entropy = 0;
  for (const auto& [image, count] : counts) entropy += count * std::log(count / 54.0) / 54.0;
  EXPECT_NEAR(bars_and_stripes_optimal_log_likelihood(n, q), entropy, 1e-12);
  EXPECT_THROW(bars_and_stripes(12, 5), std::invalid_argument);  // 5^12 images
}

TEST(BarsAndStripes, OptimalLogLikelihoodIsTheEmpiricalEntropy) {
  EXPECT_NEAR(bars_and_stripes_optimal_log_likelihood(4), -3.379, 5e-4);
  // 32 patterns: 28 with probability 1/32, 2 with 2/32 (each seen twice).
  double expected = (28 * std::log(1.0 / 32) + 4 * std::log(2.0 / 32)) / 32;
  EXPECT_NEAR(bars_and_stripes_optimal_log_likelihood(4), expected, 1e-12);
  EXPECT_NEAR(32 * bars_and_stripes_optimal_log_likelihood(4), -108.13, 5e-3);
}

TEST(BatchIterator, VisitsEveryRowOncePerEpochAndResumes) {
  torch::manual_seed(3);
  Dataset data(torch::arange(10, torch::kFloat32).unsqueeze(1), "counting");
  BatchIterator batches(data, 5);
  auto epoch = torch::cat({batches.next(), batches.next()}).flatten();
  EXPECT_TRUE(std::get<0>(epoch.sort()).equal(torch::arange(10, torch::kFloat32)));

  batches.next();
  torch::serialize::OutputArchive out;
  batches.save(out);
  auto generator_state = at::detail::getDefaultCPUGenerator().get_state();
  auto expected = torch::cat({batches.next(), batches.next(), batches.next()});

  std::stringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  in.load_from(bytes);
  BatchIterator restored(data, 5);
  restored.load(in);
  auto generator = at::detail::getDefaultCPUGenerator();
  generator.set_state(generator_state);
  EXPECT_TRUE(torch::cat({restored.next(), restored.next(), restored.next()}).equal(expected));
}

TEST(Dataset, RejectsEmptyOrNonMatrixData) {
  EXPECT_THROW(Dataset(torch::zeros({0, 3}), "empty"), std::invalid_argument);
  EXPECT_THROW(Dataset(torch::zeros({3}), "vector"), std::invalid_argument);
}

}  // namespace
}  // namespace ebm::datasets


#include "datasets/idx.h"

namespace ebm::datasets {
namespace {

void write_gz(const std::filesystem::path& path, const std::vector<unsigned char>& bytes) {
  testing::write_gzipped(path, std::string(bytes.begin(), bytes.end()));
}

TEST(Idx, ReadsGzippedImagesScaledToTheUnitIntervalAndRejectsBadFiles) {
  auto dir = testing::scratch_dir();
  // Three 2x2 images with pixel values 0, 51, ..., 255 in order.
  std::vector<unsigned char> bytes = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2};
  for (int i = 0; i < 12; ++i) bytes.push_back(static_cast<unsigned char>((i * 255) / 11));
  write_gz(dir / "ok.gz", bytes);
  auto images = read_idx_images((dir / "ok.gz").string());
  ASSERT_EQ(images.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_DOUBLE_EQ(images[0][1].item<double>(), 23.0 / 255.0);
  EXPECT_DOUBLE_EQ(images[2][3].item<double>(), 1.0);
  EXPECT_EQ(read_idx_images((dir / "ok.gz").string(), 2).size(0), 2);

  write_gz(dir / "short.gz", std::vector<unsigned char>(bytes.begin(), bytes.end() - 3));
  EXPECT_THROW(read_idx_images((dir / "short.gz").string()), std::runtime_error);
  auto labels = bytes;
  labels[3] = 1;  // an IDX1 label file
  write_gz(dir / "labels.gz", labels);
  try {
    read_idx_images((dir / "labels.gz").string());
    FAIL() << "a label file was read as images";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("labels.gz"), std::string::npos);
  }
  EXPECT_THROW(read_idx_images((dir / "missing.gz").string()), std::runtime_error);
}

}  // namespace
}  // namespace ebm::datasets
