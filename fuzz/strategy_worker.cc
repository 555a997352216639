#include "fuzz/strategy_worker.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "core/model.h"
#include "schedules/normalize.h"
#include "schedules/pct.h"
#include "schedules/pos.h"
#include "schedules/random_scenario.h"
#include "schedules/random_walk.h"

namespace dcfuzz {
namespace {

struct Named {
  CampaignStrategy strategy;
  const char* name;
};
constexpr Named kStrategies[] = {{CampaignStrategy::fuzz, "fuzz"},
                                 {CampaignStrategy::random_walk, "random-walk"},
                                 {CampaignStrategy::pct, "pct"},
                                 {CampaignStrategy::pos, "pos"}};

// Every strategy fails about one allocation in this many (d_add_ci's early
// returns on ENOMEM are bug paths, and so are the error paths of the lookups).
constexpr uint32_t kFaultOneIn = 50;
// PCT's depth: up to two priority change points per execution.
constexpr int kPctDepth = 3;

// The n-th execution's seed, from the loop's.
uint64_t mix(uint64_t seed, uint64_t n) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + n * 0xBF58476D1CE4E5B9ull + 0x51ED27;
  x ^= x >> 31;
  return x * 0x94D049BB133111EBull;
}

}  // namespace

bool strategy_from_name(const std::string& name, CampaignStrategy* out) {
  for (const auto& s : kStrategies) {
    if (name == s.name) {
      *out = s.strategy;
      return true;
    }
  }
  return false;
}

const char* strategy_name(CampaignStrategy strategy) {
  for (const auto& s : kStrategies)
    if (s.strategy == strategy) return s.name;
  return "?";
}

std::string strategy_names() {
  std::string names;
  for (const auto& s : kStrategies) names += std::string(names.empty() ? "" : ", ") + s.name;
  return names;
}

uint64_t run_strategy_loop(const StrategyLoop& loop) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  // The fixed scenarios' programs, built once (a program holds no state
  // between executions).
  std::vector<pb::Schedule> fixed;
  std::vector<std::unique_ptr<Program>> programs;
  for (const auto& scenario : loop.scenarios) {
    fixed.emplace_back();
    *fixed.back().mutable_scenario() = scenario;
    set_kernel(fixed.back().mutable_scenario(), loop.kernel, loop.switches);
    fixed.back().mutable_scenario()->set_preempt_rt(loop.preempt_rt);
    normalize(&fixed.back());
    programs.push_back(make_dcache_program(to_scenario(fixed.back().scenario())));
  }
  RandomWalkStrategy walk(loop.seed, 100, kFaultOneIn);
  PosStrategy pos(loop.seed, kFaultOneIn);
  uint32_t expected_steps = 100;  // PCT's k: the previous execution's steps
  pb::Schedule drawn;
  std::unique_ptr<Program> drawn_program;
  uint64_t n = 0;
  for (; loop.max_executions == 0 || n < loop.max_executions; ++n) {
    if (loop.stop && loop.stop->load(std::memory_order_relaxed)) break;
    // The clock is read every 64 executions (one takes tens of microseconds).
    if (n % 64 == 0 && std::chrono::duration<double>(Clock::now() - start).count() >= loop.seconds)
      break;
    const pb::Schedule* schedule;
    Program* program;
    if (fixed.empty()) {
      drawn = random_schedule(mix(loop.seed, n));
      set_kernel(drawn.mutable_scenario(), loop.kernel, loop.switches);
      drawn.mutable_scenario()->set_preempt_rt(loop.preempt_rt);
      drawn_program = make_dcache_program(to_scenario(drawn.scenario()));
      schedule = &drawn;
      program = drawn_program.get();
    } else {
      schedule = &fixed[n % fixed.size()];
      program = programs[n % fixed.size()].get();
    }
    Execution e;
    switch (loop.strategy) {
      case CampaignStrategy::pct: {
        PctStrategy pct(mix(loop.seed ^ 0x9C7, n), kPctDepth, expected_steps, kFaultOneIn);
        e = run_program(*program, pct);
        break;
      }
      case CampaignStrategy::pos:
        e = run_program(*program, pos);
        break;
      default:
        e = run_program(*program, walk);
        break;
    }
    expected_steps = std::max(1u, e.steps);
    if (loop.executions) loop.executions->fetch_add(1, std::memory_order_relaxed);
    if (e.found && loop.on_finding) loop.on_finding(*schedule, e);
  }
  return n;
}

pid_t start_strategy_worker(const std::string& log,
                            const std::function<StrategyLoop()>& make_loop) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  // As a libFuzzer worker's (fuzz/worker.cc): the parent alone takes Ctrl-C.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const StrategyLoop loop = make_loop();
  const uint64_t executions = run_strategy_loop(loop);
  std::printf("%s: %llu executions\n", strategy_name(loop.strategy),
              static_cast<unsigned long long>(executions));
  std::fflush(nullptr);
  _exit(0);
}

}  // namespace dcfuzz
