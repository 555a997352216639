// The markdown table of time_to_bug (bench/time_to_bug.cc): per mode, path
// and strategy, how many seeds found the path and the median and worst
// executions and seconds to its first detection; fuzzing's median against
// the others'; executions per second against Relacy's random scheduler.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "bench/time_to_bug.h"

namespace dcfuzz::bench {

// ---- the table ----

inline std::string count_text(uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

inline std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, s < 10 ? "%.2f" : "%.0f", s);
  return text;
}

// A median or worst value over the seeds. A run that did not find the path
// counts as infinite; where that decides the value, `value` is a lower bound
// (`lower`): the same statistic over what those runs spent instead.
struct Stat {
  double value = 0;
  bool lower = false;
};

struct Summary {
  int found = 0, runs = 0;
  Stat median_executions, worst_executions, median_seconds, worst_seconds;
};

inline double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// `values`: what each run took to find the path, or spent without finding it.
inline Stat median_stat(const std::vector<double>& values, const std::vector<bool>& found) {
  std::vector<double> infinite = values;
  for (size_t i = 0; i < values.size(); ++i)
    if (!found[i]) infinite[i] = INFINITY;
  const double exact = median_of(infinite);
  return std::isinf(exact) ? Stat{median_of(values), true} : Stat{exact, false};
}

inline Stat worst_stat(const std::vector<double>& values, const std::vector<bool>& found) {
  const bool all = std::find(found.begin(), found.end(), false) == found.end();
  return Stat{*std::max_element(values.begin(), values.end()), !all};
}

inline Summary summarize(const std::vector<Outcome>& outcomes) {
  Summary s;
  std::vector<double> execs, secs;
  std::vector<bool> found;
  for (const Outcome& o : outcomes) {
    ++s.runs;
    s.found += o.found;
    execs.push_back(double(o.executions));
    secs.push_back(o.seconds);
    found.push_back(o.found);
  }
  if (s.runs == 0) return s;
  s.median_executions = median_stat(execs, found);
  s.median_seconds = median_stat(secs, found);
  s.worst_executions = worst_stat(execs, found);
  s.worst_seconds = worst_stat(secs, found);
  return s;
}

inline std::string cell(const Stat& v, bool seconds) {
  return (v.lower ? ">" : "") +
         (seconds ? seconds_text(v.value) : count_text(uint64_t(std::llround(v.value))));
}

inline void write_time_table(std::ostringstream& md, const Options& o, const Tables& t, Mode mode) {
  const int m = int(mode);
  md << "| path | strategy | found | executions median | executions worst | seconds median | "
        "seconds worst | executions/s |\n";
  md << "|---|---|---|---:|---:|---:|---:|---:|\n";
  for (int p = 0; p < kPaths; ++p) {
    if (!o.path[p]) continue;
    for (int s = 0; s < kStrats; ++s) {
      const auto& outcomes = t.outcomes[m][s][p];
      if (outcomes.empty()) continue;
      const Summary sum = summarize(outcomes);
      const double rate = t.seconds[m][s] > 0 ? double(t.executions[m][s]) / t.seconds[m][s] : 0;
      md << "| " << bug_path_name(kBugPaths[p]) << " | " << kStratLabels[s] << " | " << sum.found
         << "/" << sum.runs << " | " << cell(sum.median_executions, false) << " | "
         << cell(sum.worst_executions, false) << " | " << cell(sum.median_seconds, true) << " | "
         << cell(sum.worst_seconds, true) << " | " << count_text(uint64_t(rate)) << " |\n";
    }
  }
}

// The other strategy's median over fuzzing's: ">" where the other's is a
// lower bound (it did not find the path in half the runs), "<" where
// fuzzing's is, "?" where both are.
inline std::string ratio_text(const Stat& fuzz, const Stat& other) {
  if (fuzz.lower && other.lower) return "?";
  char text[32];
  const double ratio = other.value / std::max(fuzz.value, 1.0);
  const char* bound = other.lower ? ">" : fuzz.lower ? "<" : "";
  if (ratio >= 1) {
    std::snprintf(text, sizeof text, "%s%.1f", bound, ratio);
  } else {  // fuzzing took more: "1/8" reads better than 0.12
    std::snprintf(text, sizeof text, "%s1/%.0f", bound, 1 / ratio);
  }
  return text;
}

inline void write_ratio_table(std::ostringstream& md, const Options& o, const Tables& t) {
  md << "| mode | path | fuzzing (median executions) | random walk / fuzzing | best PCT / fuzzing "
        "| context-bound / fuzzing |\n";
  md << "|---|---|---:|---:|---:|---:|\n";
  for (Mode mode : {Mode::fixed, Mode::free}) {
    const int m = int(mode);
    if (!o.mode[m] || !o.strat[int(Strat::fuzz)]) continue;
    for (int p = 0; p < kPaths; ++p) {
      if (!o.path[p]) continue;
      const auto runs = [&](Strat s) -> const std::vector<Outcome>& {
        return t.outcomes[m][int(s)][p];
      };
      const auto ratio = [&](Strat s) {
        return runs(s).empty() ? std::string("-")
                               : ratio_text(summarize(runs(Strat::fuzz)).median_executions,
                                            summarize(runs(s)).median_executions);
      };
      // The best PCT depth: the smallest median found, else the smallest bound.
      std::string pct = "-";
      Stat best{INFINITY, true};
      for (Strat s : {Strat::pct1, Strat::pct2, Strat::pct3}) {
        if (runs(s).empty()) continue;
        const Stat v = summarize(runs(s)).median_executions;
        if (std::make_pair(v.lower, v.value) < std::make_pair(best.lower, best.value)) best = v;
      }
      if (!std::isinf(best.value))
        pct = ratio_text(summarize(runs(Strat::fuzz)).median_executions, best);
      md << "| " << kModeNames[m] << " | " << bug_path_name(kBugPaths[p]) << " | "
         << cell(summarize(runs(Strat::fuzz)).median_executions, false) << " | "
         << ratio(Strat::random_walk) << " | " << pct << " | " << ratio(Strat::context_bound)
         << " |\n";
    }
  }
}

inline std::string rate_row(const char* what, double rate, double relacy) {
  std::ostringstream row;
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.2f", relacy > 0 ? rate / relacy : 0.0);
  row << "| " << what << " | " << count_text(uint64_t(rate)) << " | " << ratio << " |\n";
  return row.str();
}

inline std::string markdown_report(const Options& o, const Tables& t, const Throughput* tp,
                                   double elapsed, const std::string& command) {
  std::ostringstream md;
  md << "# dcfuzz: time to bug on kernel v4\n\n";
  md << "`" << command << "`: seeds per cell: " << o.seeds << "; a run is capped at "
     << count_text(o.budget_executions) << " executions or " << seconds_text(o.budget_seconds)
     << " s, whichever comes first; a run that hits the cap has not found the path, and a median "
        "(worst) value \">N\" means that half the runs (one run) did not find it, N being "
        "the same statistic over what they spent; "
     << o.parallel << " runs in parallel; the whole measurement took " << seconds_text(elapsed)
     << " s. Executions first: seconds depend on the machine's load.\n\n";
  if (tp) {
    md << "## Executions per second\n\n";
    md << "On the " << tp->scenarios
       << " reproducers' scenarios (interleaving decisions stripped), in one process.\n\n";
    md << "| what | executions/s | ratio to Relacy's random scheduler |\n|---|---:|---:|\n";
    md << rate_row("Relacy's own random scheduler (rl::random_scheduler)", tp->relacy, tp->relacy);
    md << rate_row("fuzz target, inputs as they are", tp->target, tp->relacy);
    md << rate_row("fuzz target, one mutation per input", tp->target_mutated, tp->relacy);
    const std::string loop =
        "the whole fuzz loop (libFuzzer, --keep-scenario, these scenarios "
        "as its corpus, " +
        std::to_string(kThroughputSeconds) + " s)";
    md << rate_row(loop.c_str(), tp->loop, tp->relacy);
    const int free = int(Mode::free), fuzz = int(Strat::fuzz);
    if (t.seconds[free][fuzz] > 0) {
      md << rate_row("the whole fuzz loop in the free runs below (scenarios of its own)",
                     double(t.executions[free][fuzz]) / t.seconds[free][fuzz], tp->relacy);
    }
    md << "\n";
  }
  md << "## Fuzzing against the other strategies (median executions to first detection)\n\n";
  write_ratio_table(md, o, t);
  md << "\nA ratio is the other strategy's median over fuzzing's (N: fuzzing took N times "
        "fewer executions; 1/N: N times more); \">\" where the other strategy did not find the "
        "path in half its runs "
        "(its median is at least what they spent), \"<\" where fuzzing did not.\n\n";
  const char* const headings[kModes] = {
      "## A fixed scenario: the reproducer's, its interleaving decisions stripped",
      "## The scenario left to the strategy",
      "## The scenario left to the fuzzer, from the shipped seeds (corpus/seeds)"};
  for (int m = 0; m < kModes; ++m) {
    if (!o.mode[m]) continue;
    md << headings[m] << "\n\n";
    write_time_table(md, o, t, Mode(m));
    md << "\n";
  }
  md << "Notes:\n"
     << "- Paths: wrong-waiter = `BUG: lost wakeup in __d_move`; the three add-ci paths are "
        "`WARNING: bad unlock balance detected!` through d_add_ci's early returns (result not "
        "in lookup; d_alloc_parallel -ENOMEM; d_alloc -ENOMEM), told apart by the event "
        "d_add_ci traces at the return it took (reports/bug_path.h).\n"
     << "- Faults: random walk and PCT fail each allocation with probability 1/" << o.fault_one_in
     << "; context-bound tries, at each bound, no fault and then each single fault (thread, "
        "nth) among the allocations of the fault-free run; fuzzing adds and moves faults "
        "through its mutator.\n"
     << "- Fixed scenario: fuzzing runs with --keep-scenario from that one schedule; "
        "context-bound is deterministic there (one run), its executions summed over bounds "
        "0, 1, 2, ... and fault choices until the path is found.\n"
     << "- Scenario left to the strategy: fuzzing from the empty schedule alone (and, "
        "separately, from the shipped seeds); random walk and PCT draw a new random scenario "
        "(schedules/random_scenario.h, kernel forced to v4) for each execution, PCT's k being "
        "the previous execution's step count; context-bound searches random scenarios one "
        "after the other, bounds 0..2, at most 20,000 executions each.\n"
     << "- PCT d=1 has no priority change points: it switches threads only where one blocks, "
        "ends or wakes, never inside a critical window of the two races. The two -ENOMEM "
        "reproducers have the same shape (one thread whose "
        "2nd allocation fails), so with the same seed a strategy takes the same steps on both.\n"
     << "- Context-bound search: Relacy's own context-bound scheduler "
        "(schedules/relacy_search.h, depth first; a switch forced by a blocking thread is "
        "free).\n"
     << "- executions/s in the time tables: all executions of that strategy's runs over their "
        "time (fuzzing includes libFuzzer's own work and start-up, which is most of a run that "
        "ends within a few hundred executions).\n";
  return md.str();
}

}  // namespace dcfuzz::bench
