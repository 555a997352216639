// The minimizer's driver: runs the passes of minimize_passes.h in rounds and
// keeps each candidate that shows the same bug and costs less.
#include "schedules/minimize.h"

#include <algorithm>
#include <tuple>

#include "schedules/minimize_passes.h"
#include "schedules/normalize.h"
#include "schedules/run.h"

namespace dcfuzz {
namespace {

// What "smaller" means; a kept candidate must be strictly smaller, so the
// passes cannot cycle. Threads first: they cost a reader the most; patch
// switches on count after the tree.
using Cost = std::tuple<int, int, int, int, int, int, int, int, size_t, uint64_t, std::string>;

Cost cost_of(const pb::Schedule& s) {
  const auto& sc = s.scenario();
  int ops = 0;
  for (const auto& t : sc.threads()) ops += t.ops_size();
  int aliases = 0;
  size_t name_length = 0;
  std::string names;
  for (const auto& node : sc.tree()) {
    aliases += node.disconnected_alias();
    name_length += node.name().size();
    names += node.name() + "/";
  }
  for (const auto& t : sc.threads()) {
    for (const auto& op : t.ops()) {
      name_length += op.path().size() + op.path2().size();
      names += op.path() + "/" + op.path2() + "/";
    }
  }
  uint64_t step_sum = 0;
  for (const auto& p : s.preemptions()) step_sum += p.step();
  return Cost{sc.threads_size(),
              ops,
              s.faults_size(),
              s.preemptions_size(),
              s.choices_size(),
              sc.tree_size(),
              aliases,
              __builtin_popcount(switches_of(sc)),
              name_length,
              step_sum,
              names};
}

class Minimizer {
 public:
  Minimizer(const MinimizeOptions& options, MinimizeResult& result)
      : options_(options), result_(result) {}

  // Runs `candidate`; keeps it (canonicalised) if it shows the same bug and
  // is smaller than the current schedule.
  bool try_candidate(pb::Schedule candidate) {
    normalize(&candidate);
    if (result_.executions >= options_.max_executions) return false;
    ++result_.executions;
    Execution e = run(candidate);
    if (!e.found || e.title != result_.title) return false;
    pb::Schedule canonical = canonical_schedule(candidate, e);
    if (!(cost_of(canonical) < cost_of(result_.schedule))) return false;
    result_.schedule = std::move(canonical);
    steps_ = e.steps;
    return true;
  }

  // One pass, first improvement: after a kept candidate the pass goes on
  // from the same position of the regenerated list.
  bool run_pass(const MinimizePass& pass) {
    bool progress = false;
    Candidates candidates;
    bool stale = true;
    for (size_t i = 0; result_.executions < options_.max_executions;) {
      if (stale) {
        candidates.clear();
        pass.generate(result_.schedule, steps_, &candidates);
        stale = false;
      }
      if (i >= candidates.size()) break;
      if (try_candidate(candidates[i].schedule)) {
        result_.log.push_back(std::string(pass.name) + ": " + candidates[i].description);
        progress = stale = true;
      } else {
        ++i;
      }
    }
    return progress;
  }

  Execution run(const pb::Schedule& schedule) {
    return options_.run ? options_.run(schedule) : run_schedule(schedule);
  }

  uint32_t steps() const { return steps_; }
  void set_steps(uint32_t steps) { steps_ = steps; }

 private:
  const MinimizeOptions& options_;
  MinimizeResult& result_;
  uint32_t steps_ = 0;
};

std::vector<const MinimizePass*> selected_passes(const std::vector<std::string>& names) {
  std::vector<const MinimizePass*> out;
  for (const auto& pass : minimize_passes()) {
    if (names.empty() || std::count(names.begin(), names.end(), pass.name)) out.push_back(&pass);
  }
  return out;
}

std::string plural(long n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

ScheduleStats schedule_stats(const pb::Schedule& schedule, uint32_t steps) {
  ScheduleStats stats;
  stats.threads = schedule.scenario().threads_size();
  for (const auto& t : schedule.scenario().threads()) stats.operations += t.ops_size();
  stats.preemptions = schedule.preemptions_size();
  stats.faults = schedule.faults_size();
  stats.steps = steps;
  return stats;
}

std::string format_stats(const ScheduleStats& s) {
  return plural(s.threads, "thread") + ", " + plural(s.operations, "operation") + ", " +
         plural(s.preemptions, "preemption") + ", " + plural(s.faults, "fault") + ", " +
         plural(s.steps, "step");
}

const std::vector<std::string>& minimize_pass_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& pass : minimize_passes()) out.push_back(pass.name);
    return out;
  }();
  return names;
}

MinimizeResult minimize(const pb::Schedule& input, const MinimizeOptions& options) {
  MinimizeResult result;
  pb::Schedule normalized = input;
  normalize(&normalized);
  Minimizer minimizer(options, result);
  Execution first = minimizer.run(normalized);
  result.executions = 1;
  result.before = schedule_stats(normalized, first.steps);
  result.schedule = canonical_schedule(normalized, first);
  result.found = first.found;
  result.title = first.title;
  minimizer.set_steps(first.steps);
  if (result.found) {
    const auto passes = selected_passes(options.passes);
    bool progress = true;
    while (progress && result.executions < options.max_executions) {
      progress = false;
      for (const MinimizePass* pass : passes) progress = minimizer.run_pass(*pass) || progress;
    }
  }
  result.after = schedule_stats(result.schedule, minimizer.steps());
  return result;
}

}  // namespace dcfuzz
