// The trainer's checkpointed state: what a checkpoint holds (format, config, step, model,
// objective, optimiser, sampler chains, generator, divergence-guard state, the data's
// fingerprint), and resuming from one, bit-exactly (trainers/trainer.h).
#include "trainers/trainer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "io/input_error.h"
#include "trainers/checkpoint.h"

namespace ebm::trainers {

namespace {
constexpr int64_t kCheckpointFormat = 2;  // 2 added config, rollbacks and lr_factor
}  // namespace

void Trainer::write_state(torch::serialize::OutputArchive& archive) const {
  archive.write("format", c10::IValue(kCheckpointFormat));
  archive.write("config", c10::IValue(options_.config_text()));
  archive.write("step", c10::IValue(step_));
  archive.write("wall_s", c10::IValue(wall_s_));
  archive.write("rollbacks", c10::IValue(rollbacks_));
  archive.write("lr_factor", c10::IValue(lr_factor_));
  archive.write("best", c10::IValue(best_.dump()));
  archive.write("last", c10::IValue(last_.dump()));
  archive.write("model_type", c10::IValue(model_->type_name()));
  archive.write("run_id", c10::IValue(options_.run_id()));
  archive.write("data_fingerprint", c10::IValue(data_fingerprint()));
  torch::serialize::OutputArchive model, optimizer, objective, batches;
  model_->save(model);
  optimizer_->save(optimizer);
  objective_->save(objective);
  batches_.save(batches);
  archive.write("model", model);
  archive.write("optimizer", optimizer);
  archive.write("objective", objective);
  archive.write("batches", batches);
  GeneratorSnapshot::capture().save(archive);
}

void Trainer::write_checkpoint(const std::string& state,
                               const std::function<void(torch::serialize::OutputArchive&)>& extra) {
  const auto& world = options_.world();
  if (!world && !extra) {
    save_checkpoint_file(state, options_.checkpoint_path());  // the state serialised once serves both
    return;
  }
  torch::serialize::OutputArchive archive;
  write_state(archive);
  if (extra) extra(archive);
  if (world) {
    const auto others = world->gather(world->leads() ? std::string() : archive_bytes(archive));
    if (!world->leads()) return;
    archive.write("world_size", c10::IValue(static_cast<int64_t>(world->size())));
    for (int r = 1; r < world->size(); ++r) archive.write("rank_state_" + std::to_string(r), bytes_tensor(others[r]));
  }
  save_checkpoint_file(archive_bytes(archive), options_.checkpoint_path());
}

std::string Trainer::state_bytes() const {
  torch::serialize::OutputArchive archive;
  write_state(archive);
  return archive_bytes(archive);
}

void Trainer::read_state(torch::serialize::InputArchive& archive, const std::string& origin) {
  as_input_error(origin, [&] { read_state_unchecked(archive, origin); });
}

void Trainer::read_state_unchecked(torch::serialize::InputArchive& archive, const std::string& origin) {
  read_model(archive, *model_, origin);
  c10::IValue value;
  archive.read("step", value);
  step_ = value.toInt();
  archive.read("wall_s", value);
  wall_s_ = value.toDouble();
  rollbacks_ = archive.try_read("rollbacks", value) ? value.toInt() : 0;
  lr_factor_ = archive.try_read("lr_factor", value) ? value.toDouble() : 1.0;
  archive.read("best", value);
  best_ = Metrics::parse(value.toStringRef());
  archive.read("last", value);
  last_ = Metrics::parse(value.toStringRef());
  torch::serialize::InputArchive optimizer, objective, batches;
  archive.read("optimizer", optimizer);
  archive.read("objective", objective);
  archive.read("batches", batches);
  optimizer_->load(optimizer);
  objective_->load(objective);
  batches_.load(batches);
  GeneratorSnapshot::load(archive).restore();
}

const std::string& Trainer::data_fingerprint() const {
  if (data_fingerprint_.empty()) {
    const auto rows = data_.data().to(torch::kCPU).contiguous();  // the bytes read below, wherever the data live
    const auto bytes = static_cast<size_t>(rows.numel()) * rows.element_size();
    uLong crc = crc32(0L, Z_NULL, 0);
    const auto* at = static_cast<const Bytef*>(rows.data_ptr());
    for (size_t done = 0; done < bytes;) {  // crc32 takes at most 4 GiB at a time
      const auto chunk = static_cast<uInt>(std::min<size_t>(bytes - done, size_t{1} << 30));
      crc = crc32(crc, at + done, chunk);
      done += chunk;
    }
    data_fingerprint_ = fmt::format("{} rows x {} columns of {}, crc32 {:08x}", rows.size(0), rows.numel() / std::max<int64_t>(1, rows.size(0)),
                                    c10::toString(rows.scalar_type()), crc);
  }
  return data_fingerprint_;
}

int64_t Trainer::resume(const std::string& path) {
  const auto device = model_->parameters().front().device();
  const auto& world = options_.world();
  // In a world, rank 0 reads the file and sends it (the others may run on hosts without it).
  torch::serialize::InputArchive archive = [&] {
    if (!world) return open_checkpoint(path, device);
    std::string bytes;
    if (world->leads()) {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream read;
      read << in.rdbuf();
      bytes = read.str();
    }
    return checkpoint_from_bytes(world->broadcast(bytes), path, device);
  }();
  c10::IValue value;
  const int64_t written_by = archive.try_read("world_size", value) ? value.toInt() : 1;
  const int64_t processes = world ? world->size() : 1;
  if (written_by != processes) {
    throw io::InputError(fmt::format("{} was written by {} process{}; resume it with {} (--nproc {}), not {}", path, written_by,
                                     written_by == 1 ? "" : "es", written_by == 1 ? "one" : "as many", written_by, processes));
  }
  if (world && !world->leads()) {
    torch::Tensor mine;
    as_input_error(path, [&] { archive.read("rank_state_" + std::to_string(world->rank()), mine); });
    torch::serialize::InputArchive own;
    read_archive_bytes(own, tensor_bytes(mine), device);
    archive = std::move(own);
  }
  // What the checkpoint is for: this run directory, these data (checkpoints before these keys pass).
  if (!options_.run_id().empty() && archive.try_read("run_id", value) && !value.toStringRef().empty() &&
      value.toStringRef() != options_.run_id()) {
    throw io::InputError(path + " belongs to another run (run id " + value.toStringRef() + ", this directory's is " +
                         options_.run_id() + "): was it copied here? Resume the run it came from");
  }
  if (archive.try_read("data_fingerprint", value) && value.toStringRef() != data_fingerprint()) {
    throw io::InputError(path + " was trained on other data (" + value.toStringRef() + "; the data now read are " +
                         data_fingerprint() + "): the data file changed since; a resumed run needs the same data");
  }
  read_state(archive, path);
  as_input_error(path, [&] {
    c10::IValue value;
    if (archive.try_read("interval", value)) {  // written by an interruption
      const auto interval = nlohmann::json::parse(value.toStringRef());
      steps_in_interval_ = interval.at("steps").get<int64_t>();
      carried_interval_s_ = interval.at("seconds").get<double>();
      log_due_ = interval.at("log_due").get<bool>();
      term_sums_.clear();
      for (const auto& sum : interval.value("sums", nlohmann::json::array())) {
        term_sums_.emplace_back(sum.at(0).get<std::string>(), sum.at(1).get<double>());
      }
    }
    torch::Tensor good_state;
    if (archive.try_read("good_state", good_state)) {
      good_state_ = tensor_bytes(good_state);
    }
  });
  checkpoint_step_ = step_;
  spdlog::info("loaded checkpoint {} (step {})", path, step_);
  return step_;
}

}  // namespace ebm::trainers
