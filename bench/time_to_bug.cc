// Time to bug: executions and seconds to the first detection of each bug path
// of kernel v4 (reports/bug_path.h: the wrong waiter, and the three early
// returns of d_add_ci that end in a bad unlock balance), per strategy, over
// several seeds; and executions per second of the fuzz loop against Relacy's
// own random scheduler. Writes one markdown table (bench/time_to_bug.sh).
//
//   time_to_bug [--seeds N] [--budget-executions E] [--budget-seconds S]
//               [--parallel P] [--only LIST] [--fault-one-in K]
//               [--corpus DIR] [--out FILE] [--keep DIR]
//
// Strategies: fuzz (libFuzzer + the schedule-aware mutator + edge coverage of
// core/ + interleaving counters), fuzz-nocov (without the interleaving
// counters), pct1/pct2/pct3 (PCT, depth 1..3), random-walk, context-bound.
// Modes:
// - fixed: the strategy is given the scenario of the path's reproducer
//   (corpus/regressions/), its interleaving decisions (preemptions, choices,
//   faults) stripped. Fuzzing runs with keep_scenario (dcfuzz fuzz
//   --keep-scenario) from that one schedule.
// - free: the scenario is left to the strategy. Fuzzing starts from the
//   empty schedule alone (from an empty directory, libFuzzer run this way
//   stopped at once: "no interesting inputs were found"); random walk and
//   PCT draw a new random scenario (random_schedule, kernel forced to v4)
//   for every execution; context-bound searches random scenarios one after
//   the other (bound 0..2, at most 20,000 executions each).
// - free-seeds: fuzzing only, from the shipped seeds (corpus/seeds).
// Faults: random walk and PCT fail each allocation with probability
// 1/fault-one-in (default 1/50). Context-bound, per bound 0, 1, 2, ...,
// searches the scenario without a fault, then with each single fault
// (thread, nth) among the allocations the fault-free default run made; its
// executions to bug are the total over all those searches until the path is
// found (the searches are deterministic; the seed only picks scenarios in
// the free mode, so the fixed mode runs it once). The search is Relacy's own
// context-bound scheduler (schedules/relacy_search.h).
//
// Every run is a child process (the fuzz runs are the real libFuzzer loop,
// in process, which ends by exit()); a run stops at the first detection of
// its paths (fixed: the one path; free: all four) or at the budget, whichever
// comes first, and counts as not found then (">cap" in the table). Executions
// count executions of the strategy only: not the replay that classifies a
// finding, nor the fuzz target's re-runs of an input to learn its step count.
#include "bench/time_to_bug.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench/throughput.h"
#include "bench/time_to_bug_table.h"
#include "fuzz/worker.h"
#include "reports/bug_path.h"
#include "schedules/pct.h"
#include "schedules/random_scenario.h"
#include "schedules/random_walk.h"
#include "schedules/relacy_search.h"
#include "schedules/replay.h"
#include "schedules/run.h"

namespace dcfuzz::bench {
namespace {

[[noreturn]] void usage_error(const std::string& why) {
  std::fprintf(stderr, "time_to_bug: %s\n", why.c_str());
  std::exit(2);
}

uint64_t number(const char* flag, const char* text, uint64_t lo, uint64_t hi) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (!*text || *end || errno || text[0] == '-' || v < lo || v > hi) {
    usage_error(std::string(flag) + " wants a number in " + std::to_string(lo) + ".." +
                std::to_string(hi) + ", not '" + text + "'");
  }
  return v;
}

// --only: strategies, modes, paths and "throughput", comma-separated; each
// kind that is named restricts that kind, the others stay whole.
void apply_only(Options& o) {
  bool any_strat = false, any_mode = false, any_path = false, any_throughput = false;
  bool strat[kStrats] = {}, mode[kModes] = {}, path[kPaths] = {};
  std::stringstream list(o.only);
  for (std::string item; std::getline(list, item, ',');) {
    bool known = false;
    for (int i = 0; i < kStrats; ++i)
      if (item == kStratNames[i]) known = any_strat = strat[i] = true;
    for (int i = 0; i < kModes; ++i)
      if (item == kModeNames[i]) known = any_mode = mode[i] = true;
    for (int i = 0; i < kPaths; ++i)
      if (item == bug_path_name(kBugPaths[i])) known = any_path = path[i] = true;
    if (item == "throughput") known = any_throughput = true;
    if (!known) usage_error("--only: unknown item '" + item + "'");
  }
  for (int i = 0; i < kStrats; ++i) o.strat[i] = !any_strat || strat[i];
  for (int i = 0; i < kModes; ++i) o.mode[i] = !any_mode || mode[i];
  for (int i = 0; i < kPaths; ++i) o.path[i] = !any_path || path[i];
  o.throughput = any_throughput || (!any_strat && !any_mode && !any_path);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf(
          "time_to_bug [--seeds N] [--budget-executions E] [--budget-seconds S] [--parallel P]\n"
          "            [--only LIST] [--fault-one-in K] [--corpus DIR] [--out FILE] [--keep DIR]\n"
          "LIST: comma-separated strategies (fuzz, fuzz-nocov, pct1, pct2, pct3, random-walk,\n"
          "context-bound), modes (fixed, free, free-seeds), paths (wrong-waiter,\n"
          "add-ci-not-in-lookup, add-ci-parallel-enomem, add-ci-d-alloc-enomem), throughput\n");
      std::exit(0);
    }
    if (i + 1 >= argc) usage_error("unknown argument or missing value: " + flag);
    const char* value = argv[++i];
    if (flag == "--seeds") {
      o.seeds = int(number("--seeds", value, 1, 1000));
    } else if (flag == "--budget-executions") {
      o.budget_executions = number("--budget-executions", value, 1, 1000000000);
    } else if (flag == "--budget-seconds") {
      o.budget_seconds = double(number("--budget-seconds", value, 1, 86400));
    } else if (flag == "--parallel") {
      o.parallel = int(number("--parallel", value, 1, 64));
    } else if (flag == "--fault-one-in") {
      o.fault_one_in = uint32_t(number("--fault-one-in", value, 2, 1000000));
    } else if (flag == "--corpus") {
      o.corpus = value;
    } else if (flag == "--out") {
      o.out = value;
    } else if (flag == "--keep") {
      o.keep = value;
    } else if (flag == "--only") {
      o.only = value;
    } else {
      usage_error("unknown argument: " + flag);
    }
  }
  apply_only(o);
  return o;
}

// ---------------------------------------------------------------------------
// One run: a strategy, a mode (and in the fixed mode a path), a seed. It
// appends "found PATH EXECUTIONS SECONDS" lines to its result file as it
// detects the paths it wants, and "total EXECUTIONS SECONDS" at the end.

struct Run {
  Strat strat;
  Mode mode;
  int path;  // fixed mode: index into kBugPaths; else -1 (all paths)
  int seed;  // 1-based
  std::string result_file, log_file, work_dir;
  // Fuzzing only: the loop's executions/s on the reproducers' scenarios,
  // for kThroughputSeconds, whatever it finds.
  bool throughput = false;
};

struct Recorder {
  const Options* options = nullptr;
  int fd = -1;
  bool wanted[kPaths] = {};
  int remaining = 0;
  Clock::time_point start;
  std::atomic<uint64_t> executions{0};

  void begin(const Options& o, const Run& run) {
    options = &o;
    fd = open(run.result_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    for (int p = 0; p < kPaths; ++p) {
      wanted[p] = !run.throughput && (run.path < 0 ? o.path[p] : p == run.path);
      remaining += wanted[p];
    }
    start = Clock::now();
  }
  void line(const std::string& text) {
    if (write(fd, text.data(), text.size()) != ssize_t(text.size())) _exit(3);
  }
  // A finding of path `path`: true when every wanted path has been found.
  bool found(BugPath path) {
    for (int p = 0; p < kPaths; ++p) {
      if (kBugPaths[p] != path || !wanted[p]) continue;
      wanted[p] = false;
      --remaining;
      char text[128];
      std::snprintf(text, sizeof text, "found %s %llu %.6f\n", bug_path_name(path),
                    static_cast<unsigned long long>(executions.load()), seconds_since(start));
      line(text);
    }
    return remaining == 0;
  }
  bool over_budget() const {
    return executions.load() >= options->budget_executions ||
           seconds_since(start) >= options->budget_seconds;
  }
  void total() {
    char text[96];
    std::snprintf(text, sizeof text, "total %llu %.6f\n",
                  static_cast<unsigned long long>(executions.load()), seconds_since(start));
    line(text);
  }
};

Recorder& recorder() {
  static Recorder* r = new Recorder;  // never destroyed: libFuzzer exits from anywhere
  return *r;
}

uint64_t mix(uint64_t seed, uint64_t n) { return seed * 0x100000001B3ull ^ (n + 0x51ED27); }

pb::Schedule stripped_reproducer(const Options& o, int path) {
  pb::Schedule s;
  std::string error;
  const std::string file = o.corpus + "/regressions/" + kReproducers[path];
  if (!load_schedule(file, &s, &error)) usage_error(error);
  pb::Schedule out;
  *out.mutable_scenario() = s.scenario();
  out.mutable_scenario()->set_kernel(pb::V4);
  return out;
}

pb::Schedule free_scenario(uint64_t seed) {
  pb::Schedule s = random_schedule(seed);
  s.mutable_scenario()->set_kernel(pb::V4);
  return s;
}

// Records which allocations an execution makes, and fails none.
class AllocationCounter final : public Strategy {
 public:
  explicit AllocationCounter(const pb::Schedule& base) : base_(base) {}
  const char* name() const override { return "allocation-counter"; }
  void begin(int threads) override { base_.begin(threads); }
  int pick_thread(const Decision& d) override { return base_.pick_thread(d); }
  uint32_t pick_value(uint32_t call, uint32_t limit) override {
    return base_.pick_value(call, limit);
  }
  bool fail_alloc(int thread, uint32_t nth, uint32_t) override {
    allocations.push_back({uint32_t(thread + 1), nth});
    return false;
  }
  std::vector<std::pair<uint32_t, uint32_t>> allocations;  // (thread, nth), 1-based

 private:
  ReplayStrategy base_;
};

// Random walk or PCT, one execution at a time.
void run_random(const Options& o, const Run& run) {
  Recorder& rec = recorder();
  const bool fixed = run.mode == Mode::fixed;
  pb::Schedule schedule = fixed ? stripped_reproducer(o, run.path) : pb::Schedule();
  std::unique_ptr<Program> program;
  if (fixed) program = make_dcache_program(to_scenario(schedule.scenario()));
  RandomWalkStrategy walk(uint64_t(run.seed), 100, o.fault_one_in);
  const int depth = run.strat == Strat::pct1 ? 1 : run.strat == Strat::pct2 ? 2 : 3;
  uint32_t expected_steps = 100;  // PCT's k: the previous execution's steps
  for (uint64_t n = 0; !rec.over_budget(); ++n) {
    if (!fixed) {
      schedule = free_scenario(mix(uint64_t(run.seed), n));
      program = make_dcache_program(to_scenario(schedule.scenario()));
    }
    PctStrategy pct(mix(uint64_t(run.seed) + 7, n), depth, expected_steps, o.fault_one_in);
    Strategy& strategy = run.strat == Strat::random_walk ? static_cast<Strategy&>(walk) : pct;
    const Execution e = run_program(*program, strategy);
    rec.executions.fetch_add(1);
    expected_steps = std::max(1u, e.steps);
    if (e.found && rec.found(classify_bug_path(canonical_schedule(schedule, e), e))) break;
  }
}

// Context-bound search of one scenario, bound 0..max_bound, each bound with
// no fault and then each single fault. Returns false once nothing is wanted.
bool search_scenario(const pb::Schedule& base, int max_bound, uint64_t max_executions) {
  Recorder& rec = recorder();
  auto program = make_dcache_program(to_scenario(base.scenario()));
  AllocationCounter counter(base);
  run_program(*program, counter);
  rec.executions.fetch_add(1);
  std::vector<pb::Schedule> configs = {base};
  for (const auto& [thread, nth] : counter.allocations) {
    configs.push_back(base);
    pb::Fault* f = configs.back().add_faults();
    f->set_thread(thread);
    f->set_nth(nth);
  }
  const uint64_t start = rec.executions.load();
  for (int bound = 0; bound <= max_bound; ++bound) {
    for (const auto& config : configs) {
      const uint64_t used = rec.executions.load() - start;
      if (rec.over_budget() || used >= max_executions) return true;
      const uint64_t left =
          std::min(max_executions - used, rec.options->budget_executions - rec.executions.load());
      const SearchResult result =
          relacy_search(*program, config, SearchKind::context_bound, bound, left);
      rec.executions.fetch_add(result.executions);
      if (result.found && rec.found(classify_bug_path(canonical_schedule(config, result.execution),
                                                      result.execution)))
        return false;
    }
  }
  return true;
}

void run_context_bound(const Options& o, const Run& run) {
  if (run.mode == Mode::fixed) {
    search_scenario(stripped_reproducer(o, run.path), 64, o.budget_executions);
    return;
  }
  for (uint64_t n = 0; !recorder().over_budget(); ++n) {
    if (!search_scenario(free_scenario(mix(uint64_t(run.seed), n)), 2, 20000)) return;
  }
}

// The real fuzz loop: a libFuzzer worker (fuzz/worker.h), as a campaign starts them.
pid_t start_fuzz(const Options& o, const Run& run) {
  LibFuzzerWorker worker;
  worker.log = run.log_file;
  worker.seed = uint64_t(run.seed);
  worker.artifact_dir = run.work_dir;
  worker.corpus = run.work_dir + "/corpus";
  worker.flags = {
      "-runs=" + std::to_string(run.throughput ? 1000000000 : o.budget_executions),
      "-max_total_time=" +
          std::to_string(run.throughput ? kThroughputSeconds : int(std::ceil(o.budget_seconds))),
  };
  worker.setup = [&o, &run, corpus = worker.corpus] {
    recorder().begin(o, run);
    mkdir(run.work_dir.c_str(), 0755);
    mkdir(corpus.c_str(), 0755);
    std::vector<pb::Schedule> inputs;
    for (int p = 0; p < kPaths; ++p)
      if (run.mode == Mode::fixed && (run.throughput || p == run.path))
        inputs.push_back(stripped_reproducer(o, p));
    if (run.mode == Mode::free_seeds) inputs = load_schedules(o.corpus + "/seeds", 1000);
    if (run.mode == Mode::free) {  // libFuzzer needs one input that runs: the empty schedule
      inputs.emplace_back();
      normalize(&inputs.back());
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::ofstream(corpus + "/seed-" + std::to_string(i), std::ios::binary)
          << inputs[i].SerializeAsString();
    }
    TargetOptions target;
    target.kernel = pb::V4;
    target.interleaving_coverage = run.strat == Strat::fuzz;
    target.keep_scenario = run.mode == Mode::fixed;
    target.executions = &recorder().executions;
    if (!run.throughput)
      target.on_finding = [](const pb::Schedule& s, const Execution& e) {
        if (recorder().found(classify_bug_path(s, e))) {
          recorder().total();
          _exit(0);
        }
      };
    set_target(target);
    std::atexit([] { recorder().total(); });  // libFuzzer exit()s at -runs / -max_total_time
  };
  return start_libfuzzer_worker(worker);
}

// Every other strategy, in a child process of its own.
pid_t start_child(const Options& o, const Run& run) {
  if (is_fuzz(run.strat)) return start_fuzz(o, run);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  int fd = open(run.log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  recorder().begin(o, run);
  if (run.strat == Strat::context_bound) {
    run_context_bound(o, run);
  } else {
    run_random(o, run);
  }
  recorder().total();
  _exit(0);
}

// ---------------------------------------------------------------------------
// The parent: runs the runs, `parallel` at a time, and writes the table.

struct RunResult {
  Outcome path[kPaths];
  uint64_t total_executions = 0;
  double total_seconds = 0;
};

RunResult read_result(const Run& run) {
  RunResult r;
  std::ifstream in(run.result_file);
  for (std::string word; in >> word;) {
    if (word == "found") {
      std::string name;
      Outcome o;
      in >> name >> o.executions >> o.seconds;
      o.found = true;
      BugPath path;
      if (!bug_path_from_name(name, &path)) continue;
      for (int p = 0; p < kPaths; ++p)
        if (kBugPaths[p] == path) r.path[p] = o;
    } else if (word == "total") {
      in >> r.total_executions >> r.total_seconds;
    }
  }
  return r;
}

std::vector<Run> plan_runs(const Options& o, const std::string& work) {
  std::vector<Run> runs;
  auto add = [&](Strat s, Mode m, int path, int seed) {
    Run r{s, m, path, seed, "", "", ""};
    const std::string name = work + "/" + std::to_string(runs.size()) + "-" + kStratNames[int(s)] +
                             "-" + kModeNames[int(m)] +
                             (path >= 0 ? std::string("-") + bug_path_name(kBugPaths[path]) : "") +
                             "-" + std::to_string(seed);
    r.result_file = name + ".result";
    r.log_file = name + ".log";
    r.work_dir = name + ".d";
    runs.push_back(r);
  };
  for (int m = 0; m < kModes; ++m) {
    if (!o.mode[m]) continue;
    for (int s = 0; s < kStrats; ++s) {
      if (!o.strat[s]) continue;
      if (Mode(m) == Mode::free_seeds && !is_fuzz(Strat(s))) continue;
      // Context-bound with a fixed scenario is deterministic: one run.
      const int seeds = Mode(m) == Mode::fixed && Strat(s) == Strat::context_bound ? 1 : o.seeds;
      for (int seed = 1; seed <= seeds; ++seed) {
        if (Mode(m) != Mode::fixed) {
          add(Strat(s), Mode(m), -1, seed);
          continue;
        }
        for (int p = 0; p < kPaths; ++p)
          if (o.path[p]) add(Strat(s), Mode(m), p, seed);
      }
    }
  }
  return runs;
}

void run_all(const Options& o, const std::vector<Run>& runs) {
  std::map<pid_t, std::pair<size_t, Clock::time_point>> running;
  size_t next = 0, done = 0;
  const double limit = o.budget_seconds * 2 + 60;  // a run that overstays is killed
  while (done < runs.size()) {
    while (next < runs.size() && int(running.size()) < o.parallel) {
      const pid_t pid = start_child(o, runs[next]);
      if (pid < 0) usage_error(std::string("fork: ") + std::strerror(errno));
      running[pid] = {next++, Clock::now()};
    }
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      for (const auto& [child_pid, started] : running)
        if (seconds_since(started.second) > limit) kill(child_pid, SIGKILL);
      usleep(20000);
      continue;
    }
    if (!running.count(pid)) continue;
    ++done;
    const Run& run = runs[running[pid].first];
    running.erase(pid);
    std::fprintf(stderr, "\r[%zu/%zu] %s %s%s%s seed %d   ", done, runs.size(),
                 kStratNames[int(run.strat)], kModeNames[int(run.mode)], run.path >= 0 ? " " : "",
                 run.path >= 0 ? bug_path_name(kBugPaths[run.path]) : "", run.seed);
  }
  std::fprintf(stderr, "\n");
}

Tables collect(const std::vector<Run>& runs) {
  Tables t;
  for (const Run& run : runs) {
    const RunResult r = read_result(run);
    const int m = int(run.mode), s = int(run.strat);
    for (int p = 0; p < kPaths; ++p) {
      if (run.path >= 0 && run.path != p) continue;
      Outcome o = r.path[p];
      if (!o.found) o = Outcome{false, r.total_executions, r.total_seconds};  // what it spent
      t.outcomes[m][s][p].push_back(o);
    }
    t.executions[m][s] += r.total_executions;
    t.seconds[m][s] += r.total_seconds;
  }
  return t;
}

// In a child, like the runs: the target's caches stay out of the parent.
Throughput measure_throughput(const Options& o, const std::string& work) {
  std::vector<pb::Schedule> scenarios;
  for (int p = 0; p < kPaths; ++p) scenarios.push_back(stripped_reproducer(o, p));
  const std::string file = work + "/throughput.result";
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    Throughput t;
    t.relacy = relacy_random_rate(scenarios, 3);
    t.target = target_rate(scenarios, 3, false);
    t.target_mutated = target_rate(scenarios, 3, true);
    std::ofstream(file) << t.relacy << " " << t.target << " " << t.target_mutated << "\n";
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Throughput t;
  t.scenarios = scenarios.size();
  std::ifstream(file) >> t.relacy >> t.target >> t.target_mutated;
  Run loop{Strat::fuzz,        Mode::fixed,      -1,  1, work + "/loop.result",
           work + "/loop.log", work + "/loop.d", true};
  pid = start_child(o, loop);
  waitpid(pid, &status, 0);
  const RunResult r = read_result(loop);
  t.loop = r.total_seconds > 0 ? double(r.total_executions) / r.total_seconds : 0;
  return t;
}

}  // namespace
}  // namespace dcfuzz::bench

int main(int argc, char** argv) {
  using namespace dcfuzz::bench;
  const Options o = parse_options(argc, argv);
  for (int p = 0; p < kPaths; ++p) stripped_reproducer(o, p);  // bad --corpus: exit 2 now
  if (o.mode[int(Mode::free_seeds)] && load_schedules(o.corpus + "/seeds", 1000).empty())
    usage_error("no seed schedules in " + o.corpus + "/seeds");
  std::string work = o.keep;
  if (work.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/time_to_bug.XXXXXX";
    if (!mkdtemp(tmpl.data())) usage_error("cannot make a temporary directory in " + tmpl);
    work = tmpl;
  } else if (mkdir(work.c_str(), 0755) != 0 && errno != EEXIST) {
    usage_error("cannot make " + work);
  }
  std::string command = "bench/time_to_bug.sh";  // as run, without where its files are
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--corpus" || arg == "--out" || arg == "--keep") {
      ++i;
      continue;
    }
    command += " " + arg;
  }
  const auto start = Clock::now();
  Throughput tp;
  if (o.throughput) tp = measure_throughput(o, work);
  const std::vector<Run> runs = plan_runs(o, work);
  run_all(o, runs);
  const Tables tables = collect(runs);
  const std::string md =
      markdown_report(o, tables, o.throughput ? &tp : nullptr, seconds_since(start), command);
  std::fputs(md.c_str(), stdout);
  std::ofstream out(o.out);
  out << md;
  if (!out) usage_error("cannot write " + o.out);
  if (o.keep.empty()) std::system(("rm -rf '" + work + "'").c_str());
  return 0;
}
