// Interleaving coverage: the same interleaving sets the same counters, a
// different one sets different counters.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "fuzz/coverage.h"
#include "schedules/engine.h"
#include "schedules/replay.h"
#include "testing/toy_programs.h"

namespace dcfuzz {
namespace {

std::vector<uint8_t> counters_after(Program& program, const pb::Schedule& schedule) {
  std::memset(interleaving_counters(), 0, kInterleavingCounters);
  InterleavingCoverage coverage;
  coverage.begin();
  RunOptions options;
  options.listener = &coverage;
  ReplayStrategy replay(schedule);
  run_program(program, replay, options);
  return std::vector<uint8_t>(interleaving_counters(),
                              interleaving_counters() + kInterleavingCounters);
}

size_t nonzero(const std::vector<uint8_t>& counters) {
  size_t n = 0;
  for (uint8_t c : counters) n += c != 0;
  return n;
}

// A schedule under which the lock changes hands more than once (the default
// runs T1 to its end, then T2: one hand-off).
pb::Schedule interleaved_schedule(Program& program) {
  for (uint32_t step = 1; step < 100; ++step) {
    pb::Schedule s;
    auto* p = s.add_preemptions();
    p->set_step(step);
    p->set_thread(2);
    ReplayStrategy replay(s);
    RunOptions options;
    options.trace = true;
    Execution e = run_program(program, replay, options);
    int hand_offs = 0;
    for (size_t i = 1; i < e.trace.size(); ++i)
      hand_offs += e.trace[i].thread != e.trace[i - 1].thread;
    if (hand_offs >= 2) return s;
  }
  ADD_FAILURE() << "no preemption interleaves the threads";
  return {};
}

TEST(FuzzCoverage, SameInterleavingSameCounters) {
  auto program = toy::make_counter(2, 3);
  const pb::Schedule schedule = interleaved_schedule(*program);
  const auto first = counters_after(*program, schedule);
  EXPECT_GT(nonzero(first), 0u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(counters_after(*program, schedule), first);
}

TEST(FuzzCoverage, DifferentInterleavingDifferentCounters) {
  auto program = toy::make_counter(2, 3);
  const auto serial = counters_after(*program, pb::Schedule());
  const auto interleaved = counters_after(*program, interleaved_schedule(*program));
  EXPECT_NE(serial, interleaved);
}

// What one thread does alone is the edge coverage's business: no counter.
TEST(FuzzCoverage, OneThreadAloneSetsNoCounter) {
  auto program = toy::make_counter(1, 3);
  EXPECT_EQ(nonzero(counters_after(*program, pb::Schedule())), 0u);
}

TEST(FuzzCoverage, BeginForgetsThePreviousExecution) {
  auto program = toy::make_counter(2, 3);
  const auto once = counters_after(*program, pb::Schedule());
  // Same listener object over two executions: the second alone must match.
  InterleavingCoverage coverage;
  RunOptions options;
  options.listener = &coverage;
  for (int i = 0; i < 2; ++i) {
    std::memset(interleaving_counters(), 0, kInterleavingCounters);
    coverage.begin();
    ReplayStrategy replay{pb::Schedule()};
    run_program(*program, replay, options);
  }
  EXPECT_EQ(std::vector<uint8_t>(interleaving_counters(),
                                 interleaving_counters() + kInterleavingCounters),
            once);
}

}  // namespace
}  // namespace dcfuzz
