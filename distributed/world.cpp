#include "distributed/world.h"

#include <fmt/format.h>
#include <torch/torch.h>

// EBM_WITH_GLOO: set by CMakeLists.txt where LibTorch has Gloo, its headers and its library.
#ifdef EBM_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "io/input_error.h"

namespace ebm::distributed {

namespace {

// An integer environment variable in [low, high]; none when unset.
std::optional<int64_t> integer_variable(const char* name, int64_t low, int64_t high) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < low || value > high) {
    throw io::InputError(std::string("the environment variable ") + name + " is '" + text + "': it must be an integer from " +
                         std::to_string(low) + " to " + std::to_string(high));
  }
  return value;
}

[[maybe_unused]] int64_t required_variable(const char* name, int64_t low, int64_t high) {
  const auto value = integer_variable(name, low, high);
  if (!value) throw io::InputError(std::string("WORLD_SIZE is set, so ") + name + " must be too (torchrun's variables: " +
                                   "MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK)");
  return *value;
}

[[maybe_unused]] std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::shared_ptr<World>& the_joined_world() {
  static std::shared_ptr<World> world;
  return world;
}

}  // namespace

void World::join(std::shared_ptr<World> world) { the_joined_world() = std::move(world); }
const std::shared_ptr<World>& World::joined() { return the_joined_world(); }

bool World::available() {
#ifdef EBM_WITH_GLOO
  return true;
#else
  return false;
#endif
}

#ifdef EBM_WITH_GLOO

// The Gloo group itself, not the ProcessGroup front of LibTorch 2.x (1.13 has no such split).
struct World::Engine {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

World::World(int rank, int size, std::unique_ptr<Engine> engine)
    : rank_(rank), size_(size), local_rank_(rank), engine_(std::move(engine)) {}

World::~World() = default;

std::shared_ptr<World> World::from_environment(const WorldOptions& options) {
  const auto size = integer_variable("WORLD_SIZE", 1, 65536);
  if (!size) return nullptr;
  const int rank = static_cast<int>(required_variable("RANK", 0, *size - 1));
  const int port = static_cast<int>(required_variable("MASTER_PORT", 1, 65535));
  const auto local_rank = integer_variable("LOCAL_RANK", 0, *size - 1);
  const char* address = std::getenv("MASTER_ADDR");
  auto world = connect(rank, static_cast<int>(*size), address && *address ? address : "127.0.0.1", port, options);
  if (local_rank) world->local_rank_ = static_cast<int>(*local_rank);
  return world;
}

std::shared_ptr<World> World::connect(int rank, int size, const std::string& host, int port, const WorldOptions& options) {
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeout_s() * 1000));
  c10d::TCPStoreOptions store_options;
  store_options.port = static_cast<std::uint16_t>(port);
  store_options.isServer = rank == 0;
  store_options.numWorkers = static_cast<std::size_t>(size);
  store_options.waitWorkers = true;
  store_options.timeout = timeout;
  auto engine = std::make_unique<Engine>();
  const std::string where = host + ":" + std::to_string(port);
  try {
    engine->store = c10::make_intrusive<c10d::TCPStore>(host, store_options);
  } catch (const std::exception& error) {
    throw io::InputError(rank == 0 ? "rank 0 cannot host the job's store at " + where + " (MASTER_ADDR, MASTER_PORT): " +
                                         first_line(error.what())
                                   : fmt::format("rank {} cannot reach the job's store at {} (MASTER_ADDR, MASTER_PORT) within {} s: {}",
                                                 rank, where, options.timeout_s(), first_line(error.what())));
  }
  auto gloo = c10d::ProcessGroupGloo::Options::create(timeout);
  gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host == "localhost" ? "127.0.0.1" : host));
  try {
    engine->group = c10::make_intrusive<c10d::ProcessGroupGloo>(engine->store, rank, size, gloo);
  } catch (const std::exception& error) {
    throw std::runtime_error(fmt::format("rank {} could not join the job's {} processes at {}: {}", rank, size, where,
                                         first_line(error.what())));
  }
  return std::shared_ptr<World>(new World(rank, size, std::move(engine)));
}

template <class F>
void World::collective(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& error) {
    throw std::runtime_error("rank " + std::to_string(rank_) + " of " + std::to_string(size_) + ": " + what +
                             " failed (another rank ended or hung): " + first_line(error.what()));
  }
}

void World::average(const std::vector<torch::Tensor>& tensors) {
  if (tensors.empty()) return;
  // One bucket in the widest of the tensors' dtypes: float32 gradients travel as float32.
  auto dtype = torch::kFloat;
  for (const auto& t : tensors) {
    if (t.scalar_type() == torch::kDouble) dtype = torch::kDouble;
  }
  std::vector<torch::Tensor> flat;
  for (const auto& t : tensors) flat.push_back(t.detach().reshape(-1).to(torch::kCPU, dtype));
  std::vector<torch::Tensor> bucket = {torch::cat(flat)};
  collective("averaging gradients", [&] { engine_->group->allreduce(bucket)->wait(); });
  bucket[0].div_(static_cast<double>(size_));
  int64_t at = 0;
  for (const auto& t : tensors) {
    const int64_t n = t.numel();
    t.detach().copy_(bucket[0].slice(0, at, at + n).view(t.sizes()));
    at += n;
  }
}

int64_t World::max(int64_t value) {
  std::vector<torch::Tensor> one = {torch::tensor({value}, torch::kLong)};
  c10d::AllreduceOptions options;
  options.reduceOp = c10d::ReduceOp::MAX;
  collective("agreeing on a value", [&] { engine_->group->allreduce(one, options)->wait(); });
  return one[0].item<int64_t>();
}

std::vector<std::string> World::gather(const std::string& mine) {
  std::vector<torch::Tensor> length = {torch::tensor({static_cast<int64_t>(mine.size())}, torch::kLong)};
  std::vector<std::vector<torch::Tensor>> lengths(1);
  for (int r = 0; r < size_; ++r) lengths[0].push_back(torch::empty({1}, torch::kLong));
  collective("gathering state", [&] { engine_->group->allgather(lengths, length)->wait(); });
  int64_t longest = 0;
  for (const auto& l : lengths[0]) longest = std::max(longest, l.item<int64_t>());
  std::vector<torch::Tensor> padded = {torch::zeros({std::max<int64_t>(longest, 1)}, torch::kUInt8)};
  std::memcpy(padded[0].data_ptr(), mine.data(), mine.size());
  std::vector<std::vector<torch::Tensor>> all(1);
  for (int r = 0; r < size_; ++r) all[0].push_back(torch::empty_like(padded[0]));
  collective("gathering state", [&] { engine_->group->allgather(all, padded)->wait(); });
  std::vector<std::string> out;
  for (int r = 0; r < size_; ++r) {
    out.emplace_back(static_cast<const char*>(all[0][r].data_ptr()), static_cast<size_t>(lengths[0][r].item<int64_t>()));
  }
  return out;
}

std::string World::broadcast(const std::string& from_rank_0) {
  std::vector<torch::Tensor> length = {torch::tensor({static_cast<int64_t>(from_rank_0.size())}, torch::kLong)};
  collective("sharing state", [&] { engine_->group->broadcast(length)->wait(); });
  const int64_t n = length[0].item<int64_t>();
  std::vector<torch::Tensor> bytes = {torch::zeros({std::max<int64_t>(n, 1)}, torch::kUInt8)};
  if (rank_ == 0) std::memcpy(bytes[0].data_ptr(), from_rank_0.data(), from_rank_0.size());
  collective("sharing state", [&] { engine_->group->broadcast(bytes)->wait(); });
  return std::string(static_cast<const char*>(bytes[0].data_ptr()), static_cast<size_t>(n));
}

void World::barrier() {
  collective("waiting for the other ranks", [&] { engine_->group->barrier()->wait(); });
}

#else  // a LibTorch built without Gloo

struct World::Engine {};
World::~World() = default;

std::shared_ptr<World> World::from_environment(const WorldOptions& options) {
  if (!integer_variable("WORLD_SIZE", 1, 65536)) return nullptr;
  return connect(0, 1, "", 0, options);
}
std::shared_ptr<World> World::connect(int, int, const std::string&, int, const WorldOptions&) {
  throw io::InputError(kUnavailable);
}
void World::average(const std::vector<torch::Tensor>&) {}
int64_t World::max(int64_t value) { return value; }
std::vector<std::string> World::gather(const std::string& mine) { return {mine}; }
std::string World::broadcast(const std::string& from_rank_0) { return from_rank_0; }
void World::barrier() {}

#endif

}  // namespace ebm::distributed
