// A reference put twice below the root (a patch's double dput, the bug class
// of bench/mutants/lookup-slow-enomem-puts-dir): the kernel's fast_dput warns
// when it finds the count at 0 or dead. The model must stop there, every time
// and in one process for as long as a campaign runs.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/model.h"
#include "schedules/engine.h"
#include "schedules/replay.h"
#include "testing/toy_programs.h"
#include "tests/model_replay.h"

namespace dcfuzz {
namespace {

using testing::parse_normalized;
using testing::replay_traced;

// T1 walks through "d" while T2 removes it, and every walk puts each
// directory twice (selftest_walk_puts_twice): a later put of "d" finds its
// count at 0. Every preemption point of T2 inside T1's walk.
const char* kWalkWhileRmdir = R"(
  scenario {
    tree { name: "d" dir: true }
    threads { ops { op: LOOKUP path: "d/x" } }
    threads { ops { op: RMDIR path: "d" } }
  })";

constexpr uint32_t kLastStep = 80;

pb::Schedule preempted_at(uint32_t step) {
  pb::Schedule s = parse_normalized(kWalkWhileRmdir);
  auto* p = s.add_preemptions();
  p->set_step(step);
  p->set_thread(2);
  return s;
}

ModelOptions puts_twice() {
  ModelOptions options;
  options.selftest_walk_puts_twice = true;
  return options;
}

bool warns_on_d(const Execution& e) {
  return e.title == "WARNING in dput" &&
         e.details.find("d_lockref.count <= 0") != std::string::npos &&
         e.details.find("/d") != std::string::npos;
}

TEST(ModelRefcount, APutTooManyWarnsInDput) {
  int warned = 0;
  for (uint32_t step = 1; step <= kLastStep; ++step) {
    Execution e = replay_traced(preempted_at(step), puts_twice());
    if (warns_on_d(e)) {
      EXPECT_EQ(e.kind, FindingKind::kernel_assertion);
      EXPECT_EQ(e.function, "dput");
      ++warned;
    }
    // What the model found otherwise is the kernel's own: no engine finding.
    EXPECT_EQ(e.title.find("in the model"), std::string::npos)
        << "step " << step << ": " << e.title;
  }
  EXPECT_GT(warned, 0);
}

// The kernel's own puts never warn: the same schedules without the put too many.
TEST(ModelRefcount, TheKernelsOwnPutsDoNotWarn) {
  for (uint32_t step = 1; step <= kLastStep; ++step) {
    Execution e = replay_traced(preempted_at(step));
    EXPECT_FALSE(e.found) << "step " << step << ": " << e.title;
  }
}

// T1's lookup of "A" allocates an in-lookup dentry, and d_splice_alias moves
// the disconnected alias into its place: the in-lookup one dies. T2 runs once
// T1 is done (the default schedule).
const char* kSpliceKillsTheNewDentry = R"(
  scenario {
    tree { name: "A" dir: true disconnected_alias: true }
    threads { ops { op: LOOKUP path: "A" } }
    threads { ops { op: LOOKUP path: "A" } }
  })";

Execution run(Program& program, const pb::Schedule& schedule) {
  ReplayStrategy strategy(schedule);
  RunOptions options;
  options.trace = true;
  return run_program(program, strategy, options);
}

// T2 puts the dentry T1's lookup killed (toy::make_dcache_putting_a_dead_dentry).
// A campaign's worker runs such an execution again and again, in one process
// and one Relacy context per thread count: every run must end in the same
// finding, and the kernel's own puts stay clean. Before dput's check, the
// dead dentry was killed again and __dentry_kill's erase(find()) became an
// erase(end()), whose memmove overwrote the heap around the list of live
// dentries: findings that were not the schedule's ("KASAN: use-after-free in
// the model"), then glibc's abort ("corrupted size vs. prev_size") or a
// segfault -- the campaign lost its worker.
TEST(ModelRefcount, APutOfADeadDentryWarnsEveryTimeInOneProcess) {
  const pb::Schedule schedule = parse_normalized(kSpliceKillsTheNewDentry);
  for (int i = 0; i < 200; ++i) {
    auto bad = toy::make_dcache_putting_a_dead_dentry(to_scenario(schedule.scenario()));
    Execution e = run(*bad, schedule);
    ASSERT_TRUE(e.found) << "run " << i;
    ASSERT_EQ(e.title, "WARNING in dput") << "run " << i << "\n" << e.details;
    ASSERT_EQ(e.function, "dput");
    ASSERT_EQ(e.thread, 1);
    ASSERT_NE(e.details.find("d_lockref.count <= 0"), std::string::npos) << e.details;
    auto clean = make_dcache_program(to_scenario(schedule.scenario()));
    Execution c = run(*clean, schedule);
    ASSERT_FALSE(c.found) << "run " << i << ": " << c.title;
  }
}

// T1 reads "A/b" while T2 removes "A" on a case-insensitive filesystem, each
// walk putting each directory twice: where T2's rmdir holds the last
// reference to "A" but one, its own put in vfs_rmdir kills "A" and d_delete
// finds it negative -- the kernel's NULL pointer dereference at
// spin_lock(&inode->i_lock), not a segfault of the model. Every preemption
// point of T2 inside T1's op.
TEST(ModelRefcount, DeleteOfADentryKilledUnderItIsANullDereference) {
  const char* scenario = R"(
    scenario {
      fs: CASE_INSENSITIVE
      tree { name: "A" dir: true }
      threads { ops { op: READDIR path: "A/b" } }
      threads { ops { op: RMDIR path: "A" } }
    })";
  int in_d_delete = 0;
  for (uint32_t step = 1; step <= kLastStep; ++step) {
    pb::Schedule s = parse_normalized(scenario);
    auto* p = s.add_preemptions();
    p->set_step(step);
    p->set_thread(2);
    Execution e = replay_traced(s, puts_twice());
    if (e.title == "BUG: kernel NULL pointer dereference in d_delete") ++in_d_delete;
    EXPECT_EQ(e.title.find("in the model"), std::string::npos)
        << "step " << step << ": " << e.title;
    EXPECT_FALSE(replay_traced(s).found) << "step " << step;
  }
  EXPECT_GT(in_d_delete, 0);
}

}  // namespace
}  // namespace dcfuzz
