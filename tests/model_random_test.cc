// The model on random scenarios under random interleavings (and random
// allocation failures): no finding on the kernels that are right, the same
// execution every time for one schedule, and a modest number of events.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <chrono>

#include "core/model.h"
#include "schedules/engine.h"
#include "schedules/normalize.h"
#include "schedules/random_scenario.h"
#include "schedules/random_walk.h"
#include "schedules/replay.h"

namespace dcfuzz {
namespace {

// A random walk that also fails about one allocation in `one_in`.
class FaultyWalk final : public Strategy {
 public:
  FaultyWalk(uint64_t seed, uint32_t one_in) : walk_(seed), rng_(seed ^ 0xfa17), one_in_(one_in) {}
  const char* name() const override { return "faulty-walk"; }
  void begin(int threads) override { walk_.begin(threads); }
  int pick_thread(const Decision& d) override { return walk_.pick_thread(d); }
  uint32_t pick_value(uint32_t call, uint32_t limit) override {
    return walk_.pick_value(call, limit);
  }
  bool fail_alloc(int, uint32_t, uint32_t) override { return one_in_ && rng_.below(one_in_) == 0; }

 private:
  RandomWalkStrategy walk_;
  Rng rng_;
  uint32_t one_in_;
};

// What the v4 series breaks even when fixed: d_add_ci drops the parent lock,
// so on a case-insensitive filesystem a concurrent create, unlink, rename or
// O_CREAT can slip in (duplicate names, a deadlock behind a queued writer).
// The fixed series is only held to the scenarios without those.
bool fixed_series_may_break(const pb::Scenario& s) {
  if (s.fs() != pb::CASE_INSENSITIVE) return false;
  for (const auto& thread : s.threads())
    for (const auto& op : thread.ops())
      if (op.op() != pb::LOOKUP && op.op() != pb::FH_DECODE) return true;
  return false;
}

std::string text(const pb::Schedule& s) {
  std::string out;
  google::protobuf::TextFormat::PrintToString(s, &out);
  return out;
}

struct Totals {
  uint64_t executions = 0;
  uint64_t steps = 0;
};

void expect_no_finding(pb::Kernel kernel, int scenarios, int walks, Totals* totals) {
  for (int i = 0; i < scenarios; ++i) {
    pb::Schedule s = random_schedule(uint64_t(i));
    set_kernel(s.mutable_scenario(), kernel);  // the variant's row, whatever switches it drew
    if (kernel == pb::V4_FIXED && fixed_series_may_break(s.scenario())) {
      s.mutable_scenario()->set_fs(pb::Filesystem(i % 2));  // plain or nfs instead
    }
    auto program = make_dcache_program(to_scenario(s.scenario()));
    for (int w = 0; w < walks; ++w) {
      FaultyWalk strategy(uint64_t(i) * 131 + uint64_t(w), w % 2 ? 12 : 0);
      Execution e = run_program(*program, strategy);
      ++totals->executions;
      totals->steps += e.steps;
      if (!e.found) continue;
      pb::Schedule found = e.recorded;
      *found.mutable_scenario() = s.scenario();
      FAIL() << pb::Kernel_Name(kernel) << ": " << e.title << "\n" << e.details << text(found);
    }
  }
}

TEST(ModelRandom, MainlineAndFixedSeriesReportNothing) {
  auto start = std::chrono::steady_clock::now();
  Totals totals;
  expect_no_finding(pb::MAINLINE, 10000, 4, &totals);
  expect_no_finding(pb::V4_FIXED, 10000, 4, &totals);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%llu executions, %.0f steps each, %.0f executions/s\n",
              static_cast<unsigned long long>(totals.executions),
              double(totals.steps) / double(totals.executions),
              double(totals.executions) / seconds);
}

// The series as posted is found out by the same random search.
TEST(ModelRandom, TheSeriesAsPostedIsFoundOut) {
  int found = 0;
  for (int i = 0; i < 400 && found == 0; ++i) {
    pb::Schedule s = random_schedule(uint64_t(i));
    set_kernel(s.mutable_scenario(), pb::V4);
    auto program = make_dcache_program(to_scenario(s.scenario()));
    RandomWalkStrategy strategy{uint64_t(i)};
    found += run_program(*program, strategy).found;
  }
  EXPECT_GT(found, 0);
}

class CountingListener final : public EventListener {
 public:
  void on_event(const Event& event) override {
    ++count;
    hash = hash * 1000003u ^ (event.object * 31u + uint32_t(event.thread));
  }
  uint64_t count = 0;
  uint64_t hash = 0;
};

TEST(ModelRandom, OneScheduleOneExecutionAndFewEvents) {
  uint64_t total_events = 0, executions = 0;
  for (int i = 0; i < 200; ++i) {
    pb::Schedule s = random_schedule(uint64_t(i) + 5000);
    auto program = make_dcache_program(to_scenario(s.scenario()));
    RandomWalkStrategy walk{uint64_t(i)};
    Execution first = run_program(*program, walk);
    pb::Schedule recorded = first.recorded;
    *recorded.mutable_scenario() = s.scenario();
    CountingListener a, b;
    for (CountingListener* listener : {&a, &b}) {
      RunOptions options;
      options.trace = listener == &b;
      options.listener = listener;
      ReplayStrategy replay(recorded);
      Execution again = run_program(*program, replay, options);
      EXPECT_EQ(again.title, first.title) << text(recorded);
      EXPECT_EQ(again.steps, first.steps) << text(recorded);
    }
    EXPECT_EQ(a.count, b.count);
    EXPECT_EQ(a.hash, b.hash);  // tracing (object names) changes nothing
    total_events += a.count;
    ++executions;
  }
  EXPECT_LT(total_events / executions, 200u);
}

// remake_dcache_program (the fuzz target's program cache compiles a new
// scenario into a program it dropped): the same executions as a program made
// afresh, whatever the program held before -- a bigger scenario, a smaller
// one, another filesystem, with and without the oracles.
TEST(ModelRandom, ARemadeProgramRunsAsAFreshOne) {
  std::unique_ptr<Program> reused;
  int found = 0;
  for (int i = 0; i < 300; ++i) {
    pb::Schedule schedule = random_schedule(uint64_t(i) * 7919);
    ModelOptions options;
    options.oracles = i % 5 != 0;
    auto fresh = make_dcache_program(to_scenario(schedule.scenario()), options);
    if (!reused) {
      reused = make_dcache_program(to_scenario(schedule.scenario()), options);
    } else {
      remake_dcache_program(*reused, to_scenario(schedule.scenario()), options);
    }
    ASSERT_EQ(reused->thread_count(), fresh->thread_count()) << text(schedule);
    for (uint64_t walk = 0; walk < 3; ++walk) {
      RunOptions run;
      run.trace = true;
      FaultyWalk a(uint64_t(i) * 31 + walk, 40), b(uint64_t(i) * 31 + walk, 40);
      const Execution x = run_program(*fresh, a, run);
      const Execution y = run_program(*reused, b, run);
      ASSERT_EQ(x.title, y.title) << text(schedule);
      ASSERT_EQ(x.details, y.details) << text(schedule);
      ASSERT_EQ(x.steps, y.steps) << text(schedule);
      ASSERT_EQ(text(x.recorded), text(y.recorded)) << text(schedule);
      ASSERT_EQ(x.trace.size(), y.trace.size()) << text(schedule);
      for (size_t e = 0; e < x.trace.size(); ++e) {
        ASSERT_EQ(x.trace[e].what, y.trace[e].what);
        ASSERT_EQ(x.trace[e].object, y.trace[e].object);
      }
      found += x.found;
    }
  }
  EXPECT_GT(found, 0);  // some findings compared too (v4's bugs, faults)
}

}  // namespace
}  // namespace dcfuzz
