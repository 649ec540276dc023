// The processes of one data-parallel job and the collectives training needs, on LibTorch's
// distributed engine (c10d): a TCP store for the rendezvous and a Gloo process group (CPU
// tensors; a CUDA tensor goes through the host). Each of the `size` ranks trains on its shard of
// every global batch; averaging the shards' gradients gives the gradient of the mean loss over
// the whole batch, (1/W) sum_r grad L_r = grad (1/B) sum_i l_i, when every shard holds B/W rows
// (Li et al. 2020, "PyTorch Distributed: experiences on accelerating data parallel training").
//
// The job is described by the environment torchrun sets: MASTER_ADDR, MASTER_PORT, WORLD_SIZE,
// RANK and LOCAL_RANK (the rank on its host, which picks its GPU); rank 0 hosts the store. A peer that exits breaks its connections and the next collective throws at once; one
// that hangs makes it throw after `timeout_s`. Either way the error names the rank that saw it.
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ebm::distributed {

struct WorldOptions {
  // How long a collective waits for a peer before the job counts as hung.
  TORCH_ARG(double, timeout_s) = 300;
};

class World {
 public:
  // The job the environment describes; none when WORLD_SIZE is unset. Throws io::InputError
  // naming the variable for a malformed one, and naming the address for a store that cannot be
  // hosted (a port in use) or reached.
  static std::shared_ptr<World> from_environment(const WorldOptions& options = {});
  // Rank `rank` of `size` meeting at host:port (rank 0 hosts the store there); what
  // from_environment does once it has read the variables.
  static std::shared_ptr<World> connect(int rank, int size, const std::string& host, int port,
                                        const WorldOptions& options = {});
  ~World();
  // The job this process trains in (set once by the command line, as torch.distributed's
  // init_process_group does); none in a single process.
  static void join(std::shared_ptr<World> world);
  static const std::shared_ptr<World>& joined();
  // Whether this build has a process group (Gloo) at all; without one, connect() refuses with
  // kUnavailable.
  static bool available();
  static constexpr const char* kUnavailable =
      "this build has no Gloo process group (LibTorch without Gloo, or built with -DEBM_GLOO=OFF): "
      "training across processes needs one";

  int rank() const { return rank_; }
  int size() const { return size_; }
  // This rank's number on its host (LOCAL_RANK; the rank where it is not set): its GPU is
  // cuda:local_rank, shared round-robin where a host has fewer GPUs than ranks.
  int local_rank() const { return local_rank_; }
  bool leads() const { return rank_ == 0; }  // rank 0 owns the run directory and the reports

  // Replaces each tensor by its mean over the ranks, in one collective over a flat buffer
  // (the tensors may be on any device and of any floating dtype; all ranks pass the same shapes).
  void average(const std::vector<torch::Tensor>& tensors);
  // The largest of the ranks' values.
  int64_t max(int64_t value);
  // Every rank's bytes, in rank order.
  std::vector<std::string> gather(const std::string& mine);
  // Rank 0's bytes on every rank.
  std::string broadcast(const std::string& from_rank_0);
  void barrier();

 private:
  struct Engine;  // the store and the Gloo group (absent from builds without Gloo)
  World(int rank, int size, std::unique_ptr<Engine> engine);
  // Runs a collective, turning a peer's failure into std::runtime_error naming this rank.
  template <class F>
  void collective(const char* what, F&& f);

  int rank_, size_, local_rank_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace ebm::distributed
