// The data sets a config can name (data.type).
#include <torch/torch.h>

#include <cstdlib>

#include "datasets/bars_and_stripes.h"
#include "datasets/data_file.h"
#include "datasets/preprocess.h"
#include "datasets/idx.h"
#include "datasets/toy_2d.h"
#include "config/components.h"

namespace ebm::experiments {

namespace {

// A known mixture's exact density (equal weights, isotropic components), or null.
std::shared_ptr<AnalyticDensity> mixture_density(const std::string& name) {
  auto mixture = datasets::toy_2d_mixture(name);
  if (!mixture) return nullptr;
  const int64_t k = mixture->means.size(0);
  auto trils = mixture->std * torch::eye(2, torch::kFloat64).expand({k, 2, 2});
  return GaussianMixture(mixture->weights, mixture->means, trils).ptr();
}

// The `mixture` data set's exact density: K isotropic Gaussians of one std in `dim` dimensions,
// their means on the first axis, `separation` apart, centred on `offset`.
std::shared_ptr<AnalyticDensity> configured_mixture(const SectionConfig& c) {
  const auto weights = c.get<std::vector<double>>("weights");
  const int64_t k = static_cast<int64_t>(weights.size()), d = c.get<int64_t>("dim");
  auto means = torch::zeros({k, d}, torch::kFloat64);
  for (int64_t j = 0; j < k; ++j) {
    means[j][0] = c.get<double>("offset") + (static_cast<double>(j) - (k - 1) / 2.0) * c.get<double>("separation");
  }
  auto trils = (c.get<double>("std") * torch::eye(d, torch::kFloat64)).expand({k, d, d}).contiguous();
  return GaussianMixture(torch::tensor(weights, torch::kFloat64), means, trils).ptr();
}

std::string project_data_directory() {
  const char* configured = std::getenv("EBM_DATA");
  return configured && *configured ? configured : EBM_DATA_DIR;
}

// Every real-data set can be binarised for the Bernoulli models, and flipped.
std::vector<Field> with_binarization(std::vector<Field> fields) {
  fields.push_back(choice("binarize", value("none"), datasets::binarization_names(),
                          "none; threshold: x > threshold; stochastic: one Bernoulli(x) draw per value, with the seed"));
  fields.push_back(number("threshold", value(0.5), 0, 1, "binarize: threshold's cut"));
  fields.push_back(boolean("flip", value(false), "use 1 - x, after binarising (flipped MNIST, Melchior et al. 2016)"));
  return fields;
}

torch::Tensor binarized(const SectionConfig& c, const torch::Tensor& x, const std::string& what) {
  auto out = datasets::binarize(x, datasets::binarization(c.get<std::string>("binarize")), c.get<double>("threshold"), what);
  return c.get<bool>("flip") ? 1 - out : out;
}

// A data set in the MNIST layout (train-images-idx3-ubyte, t10k-images-idx3-ubyte, gzipped or not),
// in `directory`, or with an empty `directory` in the project's data directory under `subdirectory`.
Component<DataFactory> image_set(const std::string& name, const std::string& help, const std::string& directory,
                                 const std::string& subdirectory = "") {
  const std::string where = directory.empty() ? "where its IDX files are; empty: data/" + subdirectory +
                                                    " in the project (the environment variable EBM_DATA moves data/)"
                                              : "where its IDX files are";
  return {name,
          help,
          with_binarization({integer("train_size", value(60000), 1, 60000, "training images (the first ones of the training file)"),
                             integer("held_out", value(10000), 0, 10000, "test images that evaluators score (0: all)"),
                             text("directory", value(directory), where)}),
          Accepts{},
          {[name, subdirectory](const SectionConfig& c) {
             auto directory = c.get<std::string>("directory");
             if (directory.empty()) directory = project_data_directory() + "/" + subdirectory;
             try {
               auto images = datasets::mnist_layout(name, directory, c.get<int64_t>("train_size"), c.get<int64_t>("held_out"));
               return datasets::Dataset(binarized(c, images.data(), name), name,
                                        binarized(c, images.evaluation_split().data(), name + " test images"));
             } catch (const io::InputError& error) {
               c.fail("directory", error.what());
             }
           },
           nullptr}};
}

datasets::Dataset file_data(const SectionConfig& c) {
  const auto path = c.get<std::string>("path"), held_path = c.get<std::string>("held_out_path");
  if (!held_path.empty() && c.get<int64_t>("held_out") > 0) c.fail("held_out_path", "give held_out or held_out_path, not both");
  // Each error is blamed on the key that named what went wrong.
  auto blamed = [&](const std::string& key, const auto& read) {
    try {
      return read();
    } catch (const io::InputError& error) {
      c.fail(key, error.what());
    }
  };
  const auto format = blamed("format", [&] { return datasets::file_format(c.get<std::string>("format"), path); });
  auto file = blamed("path", [&] { return datasets::read_data_file(path, format); });
  const auto split = blamed("held_out", [&] { return datasets::split_held_out(file.rows, c.get<int64_t>("held_out"), path); });
  torch::Tensor train = split.first, held = split.second;
  if (!held_path.empty()) {
    held = blamed("held_out_path", [&] {
      auto other = datasets::read_data_file(held_path, format);
      if (other.rows.size(1) != train.size(1)) {
        throw io::InputError("'" + held_path + "' has rows of " + std::to_string(other.rows.size(1)) + " values, but '" +
                             path + "' has " + std::to_string(train.size(1)));
      }
      return other.rows;
    });
  }
  return blamed("path", [&] {
    if (c.get<bool>("scale")) {
      const auto reference = train;
      train = datasets::scale_to_unit(train, file.bytes, reference);
      if (held.defined()) held = datasets::scale_to_unit(held, file.bytes, reference);
    }
    train = binarized(c, train, path);
    if (held.defined()) held = binarized(c, held, held_path.empty() ? path : held_path);
    return datasets::Dataset(train.to(torch::kFloat32), path, held.defined() ? held.to(torch::kFloat32) : held);
  });
}

std::vector<Component<DataFactory>> components() {
  const Accepts binary = Accepts::only(Domain::Binary), continuous = Accepts::only(Domain::Continuous), all_domains;
  std::vector<Component<DataFactory>> sets = {
      {"bars_and_stripes",
       "every bars-and-stripes image of size x size pixels, 2 colours^size patterns (MacKay 2003); with 3 or more colours "
       "each pixel is written one-hot (data for Potts units)",
       {integer("size", value(4), 2, 12, "images are size x size pixels"),
        integer("colours", value(2), 2, 1000, "colours of a bar or stripe: 2 are bits, more are one-hot columns per pixel")},
       binary,
       {[](const SectionConfig& c) {
          try {
            return datasets::bars_and_stripes(c.get<int64_t>("size"), c.get<int64_t>("colours"));
          } catch (const std::invalid_argument& error) {
            c.fail("colours", error.what());
          }
        },
        nullptr}},
      image_set("fashion_mnist", "28x28 images in [0, 1] installed by scripts/setup (Xiao et al. 2017)",
                "/usr/share/datasets/fashion-mnist"),
      image_set("mnist", "28x28 handwritten digits in [0, 1] installed by scripts/setup (LeCun et al. 1998)", "", "mnist"),
      {"file",
       "your own data: one example per row of a CSV, NumPy .npy (float32, float64, uint8) or IDX file",
       with_binarization({text("path", required(), "the data file (relative to the working directory)"),
                          choice("format", value("auto"), datasets::file_format_names(),
                                 "csv, npy, idx or idx.gz (any may be gzipped); auto: from the file's extension, through a final .gz"),
                          integer("held_out", value(0), 0, 1e9, "rows drawn at random (with the seed) for evaluators"),
                          text("held_out_path", value(""), "a second file of held-out rows instead (same format)"),
                          boolean("scale", value(false),
                                  "map to [0, 1]: bytes / 255, other values by the training rows' min and max")}),
       all_domains,
       {file_data, nullptr}}};
  sets.push_back(
      {"mixture",
       "isotropic Gaussians in dim dimensions with given weights, their means on the first axis separation apart "
       "around offset; exact density known",
       {integer("dim", value(2), 1, 10000, "dimensions"),
        list("weights", values<double>({0.5, 0.5}), number("weight", required(), 0, 1e9, "weight", true),
             "component weights (normalised), one per component"),
        number("separation", value(4.0), 0, 1e6, "distance between neighbouring means"),
        number("offset", value(0.0), -1e6, 1e6, "where the means are centred on the first axis"),
        number("std", value(1.0), 0, 1e6, "each component's standard deviation", true),
        integer("train_size", value(10000), 1, 1e8, "training points, drawn with the seed"),
        integer("held_out", value(2000), 0, 1e8, "further points that evaluators score")},
       continuous,
       {[](const SectionConfig& c) {
          auto density = configured_mixture(c);
          const int64_t train = c.get<int64_t>("train_size"), held = c.get<int64_t>("held_out");
          auto points = std::static_pointer_cast<GaussianMixtureImpl>(density)->sample(train + held).to(torch::kFloat32);
          return datasets::Dataset(points.slice(0, 0, train), "mixture", held > 0 ? points.slice(0, train) : torch::Tensor());
        },
        configured_mixture}});
  for (const auto& name : datasets::toy_2d_names()) {
    const bool known = datasets::toy_2d_mixture(name).has_value();
    sets.push_back(
        {name, "2-D points (datasets/toy_2d.h)" + std::string(known ? ", exact density known" : ""),
         {integer("train_size", value(10000), 1, 1e8, "training points, drawn with the seed"),
          integer("held_out", value(2000), 0, 1e8, "further points that evaluators score")},
         continuous,
         {[name](const SectionConfig& c) {
            return datasets::toy_2d(name, c.get<int64_t>("train_size"), c.get<int64_t>("held_out"));
          },
          known ? std::function<std::shared_ptr<AnalyticDensity>(const SectionConfig&)>(
                      [name](const SectionConfig&) { return mixture_density(name); })
                : nullptr}});
  }
  return sets;
}

}  // namespace

const Registry<DataFactory>& data_registry() {
  static const Registry<DataFactory> registry("data", "bars_and_stripes", "the training data", components());
  return registry;
}

}  // namespace ebm::experiments
