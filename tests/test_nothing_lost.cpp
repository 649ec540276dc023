// Nothing a user or an earlier run wrote is lost: each case is a command that used to destroy
// or corrupt something (the probe of issue 25), now refused with exit 2 and one message, the
// files as they were. Outputs never write over a run's files; a directory holding anything but
// a run of ours is not a run directory; --force replaces a run only once the new one has a
// checkpoint; one process at a time writes a run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "background_runs.h"
#include "workflow/run_directory.h"
#include "io/directory_lock.h"
#include "io/remove_tree.h"

namespace ebm::experiments {
namespace {

namespace fs = std::filesystem;
using testing::expect_refused;
using testing::read_text;
using testing::run_ebm;

const std::string kQuick = "experiments/quickstart.yaml --set train.steps=200 --set train.log_every=100";

// A finished run in `dir`, and its files' bytes.
std::map<std::string, std::string> finished_run(const fs::path& dir) {
  auto r = run_ebm("train " + kQuick + " --out '" + dir.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != ".lock") files[entry.path().filename()] = read_text(entry.path());
  }
  return files;
}

void expect_unchanged(const fs::path& dir, const std::map<std::string, std::string>& files) {
  for (const auto& [name, bytes] : files) EXPECT_EQ(read_text(dir / name), bytes) << name << " changed";
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    EXPECT_TRUE(files.count(name) || name == ".lock") << "new entry " << name;
  }
}

TEST(NothingLost, ExportAndSampleNeverWriteOverARunsFiles) {
  const auto dir = testing::scratch_dir();
  const auto run = dir / "run";
  const auto files = finished_run(run);
  const std::string from = " --run '" + run.string() + "' --out '";
  expect_refused(run_ebm("export" + from + (run / "checkpoint.pt").string() + "'"), "--out must name a .safetensors file");
  expect_refused(run_ebm("export" + from + (run / "config.yaml").string() + "'"), "--out must name a .safetensors file");
  expect_refused(run_ebm("sample" + from + (run / "samples.csv").string() + "' --n 10 --steps 10"),
                 "--out's picture " + (run / "samples.png").string() + " is a file of the run in " + run.string());
  expect_refused(run_ebm("sample" + from + (run / "samples.csv").string() + "' --n 10 --steps 10 --force"),
                 "is a file of the run in");
  expect_unchanged(run, files);
  // New names are written, and written once: a second write needs --force.
  const auto exported = (dir / "model.safetensors").string();
  ASSERT_EQ(run_ebm("export" + from + exported + "'").exit_code, 0);
  expect_refused(run_ebm("export" + from + exported + "'"), "--out " + exported + " already exists: pass --force");
  EXPECT_EQ(run_ebm("export" + from + exported + "' --force").exit_code, 0);
  const auto csv = (dir / "s.csv").string();
  ASSERT_EQ(run_ebm("sample" + from + csv + "' --n 10 --steps 10").exit_code, 0);
  expect_refused(run_ebm("sample" + from + csv + "' --n 10 --steps 10"), "--out " + csv + " already exists");
}

TEST(NothingLost, TrainRefusesADirectoryThatHoldsAnythingButARun) {
  const auto dir = testing::scratch_dir();
  // The user's own config, commented, in the directory they name.
  const auto mine = dir / "mine";
  fs::create_directories(mine);
  const std::string commented = "# my notes\n" + read_text(fs::path(EBM_SOURCE_DIR) / "experiments/quickstart.yaml");
  testing::write_text(mine / "config.yaml", commented);
  expect_refused(run_ebm("train " + kQuick + " --out '" + mine.string() + "'"),
                 mine.string() + " holds files that are not a run's (config.yaml): a run needs a directory of its own");
  expect_refused(run_ebm("train '" + (mine / "config.yaml").string() + "' --out '" + mine.string() + "'"),
                 "holds files that are not a run's (config.yaml)");
  EXPECT_EQ(read_text(mine / "config.yaml"), commented);
  // A run with the user's export beside it: not replaced even with --force.
  const auto run = dir / "run";
  auto files = finished_run(run);
  testing::write_text(run / "notes.txt", "mine");
  files["notes.txt"] = "mine";
  expect_refused(run_ebm("train " + kQuick + " --out '" + run.string() + "' --force"),
                 "holds files that are not a run's (notes.txt)");
  expect_unchanged(run, files);
  // --out naming a file, or a path under one: one message, exit 2.
  expect_refused(run_ebm("train " + kQuick + " --out '" + (mine / "config.yaml").string() + "'"),
                 "cannot create the output directory " + (mine / "config.yaml").string() + ": it is a file");
  expect_refused(run_ebm("train " + kQuick + " --out '" + (mine / "config.yaml" / "x").string() + "'"),
                 "cannot create the output directory " + (mine / "config.yaml" / "x").string() + ": " +
                     (mine / "config.yaml").string() + " is a file");
  fs::create_symlink(dir / "nowhere", dir / "dangling");
  expect_refused(run_ebm("train " + kQuick + " --out '" + (dir / "dangling").string() + "'"),
                 "cannot create the output directory " + (dir / "dangling").string() + ": it is a symbolic link to " +
                     (dir / "nowhere").string() + ", which does not exist");
  expect_refused(run_ebm("train " + kQuick + " --out ''"), "--out is empty");
}

TEST(NothingLost, ForceKeepsTheOldRunUntilTheNewOneHasACheckpoint) {
  const auto dir = testing::scratch_dir();
  const auto run = dir / "run";
  const auto files = finished_run(run);
  // The replacement "diverges" at its first check (step 10, energies above a tiny limit), before any checkpoint.
  auto failed = run_ebm("train " + kQuick + " --set train.max_abs_energy=0.001 --set train.log_every=10 "
                        "--set train.on_divergence=stop --out '" + run.string() + "' --force");
  expect_refused(failed, "training diverged", 1);
  EXPECT_NE(failed.output.find("the run --force was replacing is restored"), std::string::npos) << failed.output;
  expect_unchanged(run, files);
  EXPECT_EQ(run_ebm("train --resume '" + run.string() + "' --set train.steps=300").exit_code, 0);

  // A replacement killed before its first checkpoint: the next command puts the old run back.
  const auto second = dir / "second";
  const auto second_files = finished_run(second);
  const pid_t pid = testing::start_ebm("train " + kQuick + " --set sampler.steps=1000000 --out '" + second.string() + "' --force");
  while (!fs::exists(second / ".previous-run" / "checkpoint.pt")) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  auto resumed = run_ebm("train --resume '" + second.string() + "' --set train.steps=200");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("restoring the run that --force was replacing"), std::string::npos) << resumed.output;
  EXPECT_EQ(read_text(second / "checkpoint.pt"), second_files.at("checkpoint.pt"));
  EXPECT_FALSE(fs::exists(second / ".previous-run"));

  // A replacement that gets its checkpoint leaves only itself.
  ASSERT_EQ(run_ebm("train " + kQuick + " --set seed=4 --out '" + run.string() + "' --force").exit_code, 0);
  EXPECT_FALSE(fs::exists(run / ".previous-run"));
  EXPECT_NE(read_text(run / "config.yaml").find("seed: 4"), std::string::npos);
}

// What --force deletes once the new run has its checkpoint: the replaced run's tree, its links
// removed but never followed.
TEST(NothingLost, RemoveTreeDeletesATreeAndNothingItLinksTo) {
  const auto dir = testing::scratch_dir();
  const auto tree = dir / "tree", outside = dir / "outside";
  fs::create_directories(tree / "a" / "b");
  fs::create_directories(outside);
  testing::write_text(tree / "top.txt", "1");
  testing::write_text(tree / "a" / "b" / "deep.txt", "2");
  testing::write_text(outside / "kept.txt", "3");
  fs::create_directory_symlink(outside, tree / "a" / "link");
  io::remove_tree(tree.string());
  EXPECT_FALSE(fs::exists(tree));
  EXPECT_EQ(read_text(outside / "kept.txt"), "3");
  EXPECT_NO_THROW(io::remove_tree(tree.string()));  // already gone: nothing to do
  testing::write_text(dir / "file.txt", "4");
  io::remove_tree((dir / "file.txt").string());
  EXPECT_FALSE(fs::exists(dir / "file.txt"));
}

TEST(NothingLost, OneProcessAtATimeWritesARun) {
  const auto dir = testing::scratch_dir();
  const auto run = dir / "run";
  finished_run(run);
  for (const std::string& second : {"train --resume '" + run.string() + "' --set train.steps=400",
                                    "train " + kQuick + " --out '" + run.string() + "' --force"}) {
    SCOPED_TRACE(second);
    // The first writer trains for a long while: a million Gibbs sweeps per step.
    const pid_t pid =
        testing::start_ebm("train --resume '" + run.string() + "' --set train.steps=300 --set sampler.steps=1000000");
    const auto metrics = read_text(run / "metrics.jsonl");
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    expect_refused(run_ebm(second), run.string() + " is in use by another ebm process (pid " + std::to_string(pid) + ")");
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    EXPECT_EQ(read_text(run / "metrics.jsonl"), metrics);
  }
  // Readers need no lock: export while nobody writes, and reading never removes a writer's temporaries.
  testing::write_text(run / "checkpoint.pt.tmp", "a writer's");
  EXPECT_EQ(run_ebm("export --run '" + run.string() + "' --out '" + (dir / "m.safetensors").string() + "'").exit_code, 0);
  EXPECT_TRUE(fs::exists(run / "checkpoint.pt.tmp"));
}

// A tool's output directory has one writer too: an explicit --out another command writes into
// is refused naming its process; a default name moves past it.
TEST(NothingLost, ToolsOutputDirectoriesHaveOneWriter) {
  const auto dir = testing::scratch_dir();
  const auto busy = dir / "phases";
  fs::create_directories(busy);
  const io::DirectoryLock held(busy.string());  // this process plays the other writer
  expect_refused(run_ebm("phases " + kQuick + " --k 1 --out '" + busy.string() + "'"),
                 busy.string() + " is in use by another ebm process (pid " + std::to_string(getpid()) + ")");
  EXPECT_FALSE(fs::exists(busy / "phases.json"));
  auto never_occupied = [](const std::string&) { return false; };
  const auto next = output_directory("", busy.string(), never_occupied, "", false);
  EXPECT_EQ(next.path, busy.string() + "-2");
  EXPECT_THROW(output_directory(busy.string(), "", never_occupied, "", true), io::LockHeld);
}

// The probe's resumes that went ahead: a changed seed, --force, a checkpoint's path, another
// run's checkpoint, changed data.
TEST(NothingLost, ResumeRefusesWhatItWouldNotHonour) {
  const auto dir = testing::scratch_dir();
  const auto run = dir / "run";
  const auto files = finished_run(run);
  expect_refused(run_ebm("train --resume '" + run.string() + "' --set seed=5"),
                 "the checkpoint was trained with seed = 1; a resumed run keeps its seed");
  expect_refused(run_ebm("train --resume '" + run.string() + "' --force"), "--force replaces a run with a new one");
  expect_refused(run_ebm("train --resume '" + (run / "checkpoint.pt").string() + "'"),
                 "--resume takes a run directory, and " + (run / "checkpoint.pt").string() + " is a file: --resume " +
                     run.string());
  expect_unchanged(run, files);
  // Another run's checkpoint copied in.
  const auto other = dir / "other";
  finished_run(other);
  fs::copy_file(other / "checkpoint.pt", run / "checkpoint.pt", fs::copy_options::overwrite_existing);
  expect_refused(run_ebm("train --resume '" + run.string() + "' --set train.steps=300"),
                 (run / "checkpoint.pt").string() + " belongs to another run (run id ");
  // A data file whose contents changed under the same path and shape.
  const auto data = dir / "data.csv";
  testing::write_text(data, "0,1,1,0\n1,0,0,1\n1,1,0,0\n");
  const auto on_file = dir / "on_file";
  const std::string args = kQuick + " --set data.type=file --set data.path='" + data.string() + "' --set model.hidden=4";
  ASSERT_EQ(run_ebm("train " + args + " --out '" + on_file.string() + "'").exit_code, 0);
  testing::write_text(data, "0,1,1,0\n1,0,0,1\n0,0,1,1\n");
  expect_refused(run_ebm("train --resume '" + on_file.string() + "' --set train.steps=300"),
                 "was trained on other data (3 rows x 4 columns of Float, crc32 ");
}

}  // namespace
}  // namespace ebm::experiments
