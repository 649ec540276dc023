// Helpers shared by the suites: a scratch directory per test and a runner for the `ebm` binary.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "io/remove_tree.h"

namespace ebm::testing {

inline std::filesystem::path scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() / "ebm_tests" /
             (std::string(info->test_suite_name()) + "." + info->name());
  io::remove_tree(dir.string());  // not std::filesystem::remove_all: io/remove_tree.h says why
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// `bytes` gzipped into `path`.
inline void write_gzipped(const std::filesystem::path& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

// A run directory's summary.json.
inline nlohmann::json summary_of(const std::filesystem::path& run) {
  return nlohmann::json::parse(read_text(run / "summary.json"));
}

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line from the source tree.
inline CommandResult run_ebm_in_shell(const std::string& line) {
  std::string command = std::string("cd '") + EBM_SOURCE_DIR + "' && (" + line + ") 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// Runs the built `ebm` binary with `args` (shell words) from the source tree.
inline CommandResult run_ebm(const std::string& args) { return run_ebm_in_shell("'" + std::string(EBM_BINARY) + "' " + args); }

// The command exited with `code` and one clear message holding `message`, no internal error.
inline void expect_refused(const CommandResult& r, const std::string& message, int code = 2) {
  EXPECT_EQ(r.exit_code, code) << r.output;
  EXPECT_NE(r.output.find(message), std::string::npos) << r.output;
  for (const char* internal : {"terminate called", "INTERNAL ASSERT", "Exception raised from", "what():"}) {
    EXPECT_EQ(r.output.find(internal), std::string::npos) << r.output;
  }
}

}  // namespace ebm::testing
