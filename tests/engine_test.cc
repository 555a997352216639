// The engine: exact replay, recording, default policy, preemptions.
#include "schedules/engine.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "core/model.h"
#include "schedules/normalize.h"
#include "schedules/random_scenario.h"
#include "schedules/random_walk.h"
#include "schedules/replay.h"
#include "testing/toy_programs.h"
#include "tests/schedule_text.h"

namespace dcfuzz {
namespace {

std::string trace_text(const Execution& e) {
  std::string out;
  for (const auto& t : e.trace) {
    out += std::to_string(t.step) + " T" + std::to_string(t.thread) + " " + t.function + " " +
           t.what + " " + t.object + "\n";
  }
  return out;
}

Execution replay(Program& program, const pb::Schedule& schedule, bool trace = false) {
  ReplayStrategy strategy(schedule);
  RunOptions options;
  options.trace = trace;
  return run_program(program, strategy, options);
}

TEST(Engine, DefaultScheduleDoesNotFindLockInversion) {
  auto program = toy::make_lock_inversion();
  Execution e = replay(*program, pb::Schedule());
  EXPECT_FALSE(e.found) << e.title;
  EXPECT_EQ(e.recorded.preemptions_size(), 0);
}

TEST(Engine, HandWrittenScheduleFindsLockInversion) {
  // T1 takes A (decision 1 is its lock of B): switch to T2 there.
  auto program = toy::make_lock_inversion();
  Execution e = replay(*program, testing::parse_text("preemptions { step: 2 thread: 2 }"));
  ASSERT_TRUE(e.found);
  EXPECT_EQ(e.title, "INFO: task hung: every task blocked (engine deadlock)");
}

TEST(Engine, LostWakeupNeedsThePreemption) {
  auto program = toy::make_lost_wakeup();
  EXPECT_FALSE(replay(*program, pb::Schedule()).found);
  Execution e = replay(*program, testing::parse_text("preemptions { step: 2 thread: 2 }"));
  ASSERT_TRUE(e.found);
  EXPECT_EQ(e.title, "BUG: lost wakeup (toy)");
  // After a finding the engine starts a fresh context: clean runs go on.
  EXPECT_FALSE(replay(*program, pb::Schedule()).found);
}

TEST(Engine, ReplayIsDeterministic) {
  auto program = toy::make_counter(3, 3);
  RandomWalkStrategy walk(42, 300);
  RunOptions options;
  options.trace = true;
  Execution first = run_program(*program, walk, options);
  ASSERT_FALSE(first.found);
  ASSERT_GT(first.recorded.preemptions_size(), 0);
  const std::string recorded = first.recorded.SerializeAsString();
  const std::string trace = trace_text(first);
  for (int i = 0; i < 1000; ++i) {
    Execution again = replay(*program, first.recorded, true);
    ASSERT_EQ(again.recorded.SerializeAsString(), recorded) << "run " << i;
    ASSERT_EQ(trace_text(again), trace) << "run " << i;
    ASSERT_EQ(again.steps, first.steps);
  }
}

TEST(Engine, EveryRandomWalkReplaysFromItsRecording) {
  auto program = toy::make_counter(2, 2);
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    RandomWalkStrategy walk(seed, 400);
    RunOptions options;
    options.trace = true;
    Execution walked = run_program(*program, walk, options);
    Execution replayed = replay(*program, walked.recorded, true);
    ASSERT_EQ(trace_text(replayed), trace_text(walked)) << "seed " << seed;
    ASSERT_EQ(replayed.recorded.SerializeAsString(), walked.recorded.SerializeAsString());
  }
}

TEST(Engine, ThreadCountsShareNothing) {
  auto two = toy::make_counter(2, 1);
  auto four = toy::make_counter(4, 1);
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(replay(*two, pb::Schedule()).found);
    EXPECT_FALSE(replay(*four, pb::Schedule()).found);
  }
}

// What an execution reached, which the mutator places faults and choices by:
// every fault a random walk injects is within its thread's allocations, and
// every choice it makes is below the random calls; a fault one past a
// thread's last allocation fails nothing.
TEST(Engine, ReportsTheAllocationsAndRandomCallsItReached) {
  uint32_t allocs = 0, faults = 0, choices = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const pb::Schedule schedule = random_schedule(seed);
    auto program = make_dcache_program(to_scenario(schedule.scenario()));
    RandomWalkStrategy walk(seed, 100, 8);
    const Execution e = run_program(*program, walk);
    for (const auto& f : e.recorded.faults()) {
      ASSERT_GE(f.thread(), 1u);
      EXPECT_LE(f.nth(), e.allocs[f.thread() - 1]) << "seed " << seed;
      ++faults;
    }
    for (const auto& c : e.recorded.choices()) {
      EXPECT_LT(c.call(), e.random_calls) << "seed " << seed;
      ++choices;
    }
    for (int t = program->thread_count(); t < kMaxThreads; ++t) EXPECT_EQ(e.allocs[t], 0u);
    for (uint32_t n : e.allocs) allocs += n;
  }
  EXPECT_GT(allocs, 0u);
  EXPECT_GT(faults, 0u);
  EXPECT_GT(choices, 0u);

  pb::Schedule one = testing::parse_text(R"(
      scenario { threads { ops { op: CREATE path: "x" } ops { op: CREATE path: "y" } } })");
  auto program = make_dcache_program(to_scenario(one.scenario()));
  const Execution clean = replay(*program, one);
  ASSERT_FALSE(clean.found) << clean.title;
  ASSERT_GE(clean.allocs[0], 2u);
  auto* fault = one.add_faults();
  fault->set_thread(1);
  fault->set_nth(clean.allocs[0]);
  EXPECT_EQ(replay(*program, one).recorded.faults_size(), 1);
  fault->set_nth(clean.allocs[0] + 1);
  EXPECT_EQ(replay(*program, one).recorded.faults_size(), 0);
}

}  // namespace
}  // namespace dcfuzz
