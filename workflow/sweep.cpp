#include "workflow/sweep.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/schema.h"
#include "io/atomic_file.h"
#include "reports/chart.h"

namespace ebm::experiments {

namespace fs = std::filesystem;

SweepAxis parse_vary(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw ConfigError("--vary " + text + ": expected KEY=V1,V2,..., as in objective.k=1,10");
  }
  SweepAxis axis{text.substr(0, eq), {}};
  // Commas inside brackets belong to a value: data.weights=[0.5,0.5],[0.2,0.8] is two values.
  std::string value;
  int depth = 0;
  auto push = [&] {
    if (value.empty()) throw ConfigError("--vary " + text + ": an empty value in the list");
    if (std::find(axis.values.begin(), axis.values.end(), value) != axis.values.end()) {
      throw ConfigError("--vary " + text + ": the value " + value + " is listed twice");
    }
    axis.values.push_back(value);
    value.clear();
  };
  for (char ch : text.substr(eq + 1)) {
    depth += (ch == '[' || ch == '{') - (ch == ']' || ch == '}');
    if (ch == ',' && depth == 0) {
      push();
    } else {
      value += ch;
    }
  }
  push();
  return axis;
}

Config ExperimentSource::config(const std::vector<std::string>& extra) const {
  auto all = overrides;
  all.insert(all.end(), extra.begin(), extra.end());
  return Config::parse(yaml, origin, all, experiment_schema());
}

ExperimentSource ExperimentSource::file(const std::string& path, std::vector<std::string> overrides) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read the config file");
  std::stringstream text;
  text << in.rdbuf();
  return {text.str(), path, std::move(overrides)};
}

double metric_of(const nlohmann::ordered_json& row, const std::string& metric) {
  if (!row.contains(metric) || !row[metric].is_number()) return std::nan("");
  return row[metric].get<double>();
}

namespace {

std::string label_of(const std::vector<std::string>& assignments) {
  std::string label;
  for (const auto& a : assignments) {
    const auto eq = a.find('='), dot = a.rfind('.', eq);
    label += (label.empty() ? "" : ", ") + a.substr(dot == std::string::npos ? 0 : dot + 1);
  }
  return label;
}

std::string format_value(double x) {
  if (std::isnan(x)) return "-";
  return fmt::format("{:.5g}", x);
}

}  // namespace

SweepResult run_sweep(const ExperimentSource& source, const SweepOptions& options) {
  // The grid, last axis fastest; every point validated before any run starts.
  std::vector<std::vector<std::string>> grid = {{}};
  for (size_t a = 0; a < options.axes.size(); ++a) {
    for (size_t b = 0; b < a; ++b) {
      if (options.axes[a].key == options.axes[b].key) {
        throw ConfigError("--vary " + options.axes[a].key + " is given twice: list all its values in one --vary");
      }
    }
  }
  for (const auto& axis : options.axes) {
    std::vector<std::vector<std::string>> next;
    for (const auto& point : grid) {
      for (const auto& v : axis.values) {
        auto p = point;
        p.push_back(axis.key + "=" + v);
        next.push_back(p);
      }
    }
    grid = next;
  }
  std::vector<Config> configs;
  for (const auto& point : grid) {
    std::vector<std::string> flagged;  // so that a bad value's message names --vary
    for (const auto& assignment : point) flagged.push_back("--vary " + assignment);
    configs.push_back(source.config(flagged));
  }

  SweepResult result;
  result.metric = options.metric;
  fs::create_directories(fs::path(options.out_dir) / "runs");
  const std::string jsonl = (fs::path(options.out_dir) / "sweep.jsonl").string();
  io::write_file_atomically(jsonl, "");
  auto run_dir = [&](size_t i) { return (fs::path(options.out_dir) / "runs" / ("point-" + std::to_string(i + 1))).string(); };
  auto name_of = [&](size_t i) { return label_of(grid[i]).empty() ? std::string("the base config") : label_of(grid[i]); };
  // Side by side: every point's run in a process of its own, then gathered from its directory.
  std::vector<TrainingRun> finished;
  if (options.in_processes) {
    std::vector<std::vector<std::string>> commands;
    std::vector<std::string> logs;
    for (size_t i = 0; i < grid.size(); ++i) {
      std::vector<std::string> command = {"train", source.origin};
      for (const auto& o : source.overrides) command.insert(command.end(), {"--set", o});
      for (const auto& a : grid[i]) command.insert(command.end(), {"--set", a});
      command.insert(command.end(), {"--out", run_dir(i), "--force"});
      commands.push_back(command);
      logs.push_back(run_dir(i) + ".log");
    }
    const auto launched = fs::file_time_type::clock::now();
    const auto statuses = options.in_processes(commands, logs);
    for (size_t i = 0; i < grid.size(); ++i) {
      // Only a summary this sweep's process wrote: a point that failed before its first
      // checkpoint has the run it replaced (an earlier sweep's, diverged perhaps) put back.
      const auto summary = fs::path(run_dir(i)) / "summary.json";
      auto run = fs::exists(summary) && fs::last_write_time(summary) >= launched ? read_run(run_dir(i)) : TrainingRun{};
      if (statuses[i] != 0 && !run.summary.contains("diverged")) {
        throw std::runtime_error(fmt::format("sweep {}/{} ({}): ebm train ended with status {}; see {}", i + 1, grid.size(),
                                             name_of(i), statuses[i], logs[i]));
      }
      if (run.summary.contains("diverged")) {
        spdlog::warn("sweep {}/{}: {}", i + 1, grid.size(), run.summary["diverged"].get<std::string>());
      }
      finished.push_back(std::move(run));
    }
  }
  bool metric_checked = false;
  for (size_t i = 0; i < grid.size(); ++i) {
    SweepPoint point{grid[i], label_of(grid[i]), {}};
    if (options.in_processes) {
      point.run = std::move(finished[i]);
    } else {
      spdlog::info("sweep {}/{}: {}", i + 1, grid.size(), name_of(i));
      try {
        point.run = train_new_run(configs[i], "point-" + std::to_string(i + 1), run_dir(i), /*replace=*/true, /*quiet=*/true);
      } catch (const DivergedRun& diverged) {
        spdlog::warn("sweep {}/{}: {}", i + 1, grid.size(), diverged.what());
        point.run = diverged.run;
      }
    }
    if (result.metric.empty()) result.metric = point.run.primary_metric;
    // Checked on the first run that finished (a diverged one has no final row).
    if (!metric_checked && point.run.summary.contains("final") && !point.run.summary["final"].contains(result.metric)) {
      std::string known;
      for (const auto& [key, value] : point.run.summary["final"].items()) {
        if (value.is_number() && key != "step") known += (known.empty() ? "" : ", ") + key;
      }
      throw ConfigError("--metric " + result.metric + ": the runs report no such metric (the first reported: " + known + ")");
    }
    metric_checked = metric_checked || point.run.summary.contains("final");
    nlohmann::ordered_json row;
    for (size_t a = 0; a < options.axes.size(); ++a) row[options.axes[a].key] = grid[i][a].substr(options.axes[a].key.size() + 1);
    row["run"] = point.run.dir;
    if (point.run.summary.contains("diverged")) row["diverged"] = point.run.summary["diverged"];
    row["metric"] = result.metric;
    row["final"] = metric_of(point.run.summary["final"], result.metric);
    row["best"] = metric_of(point.run.summary["best"], result.metric);
    row["wall_s"] = point.run.summary["wall_s"];
    io::append_line(jsonl, row.dump());
    result.points.push_back(std::move(point));
  }

  // The table and the learning curves.
  std::string table = "| point | " + result.metric + " final | best | seconds | run |\n| --- | --- | --- | --- | --- |\n";
  std::vector<reports::Series> curves;
  for (size_t i = 0; i < result.points.size(); ++i) {
    const auto& p = result.points[i];
    const bool diverged = p.run.summary.contains("diverged");
    table += "| " + (p.label.empty() ? "base" : p.label) + " | " +
             (diverged ? fmt::format("diverged at step {}", p.run.summary["steps"].get<int64_t>())
                       : format_value(metric_of(p.run.summary["final"], result.metric))) +
             " | " + format_value(metric_of(p.run.summary["best"], result.metric)) + " | " +
             fmt::format("{:.1f}", p.run.summary["wall_s"].get<double>()) + " | " + p.run.dir + " |\n";
    reports::Series s{p.label, {}, {}, {}, reports::palette(i)};
    for (const auto& row : p.run.rows) {
      const double y = metric_of(row, result.metric);
      if (row.contains("rollback") || !std::isfinite(y)) continue;
      s.x.push_back(row["step"].get<double>());
      s.y.push_back(y);
    }
    curves.push_back(std::move(s));
  }
  io::write_file_atomically((fs::path(options.out_dir) / "sweep.md").string(), table);
  std::string title = options.title;
  if (title.empty()) {
    title = result.metric + " during training";
    for (const auto& axis : options.axes) title += ", by " + axis.key;
  }
  reports::write_png((fs::path(options.out_dir) / "sweep.png").string(),
                     reports::render_chart({title, "update", result.metric}, curves));
  result.table = table;
  return result;
}

}  // namespace ebm::experiments
