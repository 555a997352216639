// The regression reproducers (corpus/regressions/): each reaches its bug on
// the variants that have it, through the engine and through `dcfuzz replay`,
// and finds nothing where the bug is fixed.
#include <gtest/gtest.h>

#include "core/model.h"
#include "schedules/engine.h"
#include "schedules/normalize.h"
#include "schedules/replay.h"
#include "schedules/schedule_io.h"
#include "tests/reproducers.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

using testing::kReproducers;
using testing::Reproducer;

// The variants with the bug: v4 and the one that fixes only the other bug.
bool has_bug(pb::Kernel k, const Reproducer& r) {
  return k == pb::V4 || k == (r.move_bug ? pb::V4_FIX_ADD_CI : pb::V4_FIX_MOVE);
}

std::string path_of(const Reproducer& r) {
  return testing::source_path(std::string("corpus/regressions/") + r.file);
}

class ModelRegression : public ::testing::TestWithParam<Reproducer> {};

TEST_P(ModelRegression, ReachesItsBugOnlyWhereItExists) {
  const Reproducer& r = GetParam();
  pb::Schedule schedule;
  std::string error;
  ASSERT_TRUE(load_schedule(path_of(r), &schedule, &error)) << error;
  EXPECT_EQ(schedule.scenario().kernel(), pb::V4);
  for (pb::Kernel k : {pb::V4, pb::V4_FIXED, pb::V4_FIX_MOVE, pb::V4_FIX_ADD_CI, pb::MAINLINE}) {
    schedule.mutable_scenario()->set_kernel(k);
    auto program = make_dcache_program(to_scenario(schedule.scenario()));
    ReplayStrategy strategy(schedule);
    Execution e = run_program(*program, strategy);
    if (has_bug(k, r)) {
      EXPECT_TRUE(e.found) << r.file << " on " << pb::Kernel_Name(k);
      EXPECT_EQ(e.title, r.title) << r.file << " on " << pb::Kernel_Name(k);
    } else {
      EXPECT_FALSE(e.found) << r.file << " on " << pb::Kernel_Name(k) << ": " << e.title;
    }
  }
}

TEST_P(ModelRegression, ReplaysThroughTheBinary) {
  const Reproducer& r = GetParam();
  auto v4 = testing::run_dcfuzz("replay " + path_of(r));
  EXPECT_EQ(v4.exit_code, 1) << v4.err;
  EXPECT_EQ(v4.out.substr(0, v4.out.find('\n')), r.title);
  for (const char* fixed : {"v4-fixed", "mainline"}) {
    auto o = testing::run_dcfuzz("replay " + path_of(r) + " --kernel " + fixed);
    EXPECT_EQ(o.exit_code, 0) << fixed << "\n" << o.out << o.err;
  }
}

INSTANTIATE_TEST_SUITE_P(Reproducers, ModelRegression, ::testing::ValuesIn(kReproducers),
                         testing::reproducer_test_name);

// The lock-drop reproducers: their own kernel is v4-fixed; every variant of
// the series drops the lock in d_add_ci, mainline keeps it.
class LockDropRegression : public ::testing::TestWithParam<testing::LockDropReproducer> {};

TEST_P(LockDropRegression, ReachesItsBugOnEverySeriesVariantNotOnMainline) {
  const auto& r = GetParam();
  pb::Schedule schedule;
  std::string error;
  ASSERT_TRUE(load_schedule(testing::source_path(std::string("corpus/regressions/") + r.file),
                            &schedule, &error))
      << error;
  EXPECT_EQ(schedule.scenario().kernel(), pb::V4_FIXED);
  for (pb::Kernel k : {pb::V4, pb::V4_FIXED, pb::V4_FIX_MOVE, pb::V4_FIX_ADD_CI, pb::MAINLINE}) {
    schedule.mutable_scenario()->set_kernel(k);
    auto program = make_dcache_program(to_scenario(schedule.scenario()));
    ReplayStrategy strategy(schedule);
    Execution e = run_program(*program, strategy);
    if (k != pb::MAINLINE) {
      EXPECT_TRUE(e.found) << r.file << " on " << pb::Kernel_Name(k);
      EXPECT_EQ(e.title, r.title) << r.file << " on " << pb::Kernel_Name(k);
    } else {
      EXPECT_FALSE(e.found) << r.file << " on mainline: " << e.title;
    }
  }
}

TEST_P(LockDropRegression, ReplaysThroughTheBinary) {
  const auto& r = GetParam();
  const std::string path = testing::source_path(std::string("corpus/regressions/") + r.file);
  auto own = testing::run_dcfuzz("replay " + path);
  EXPECT_EQ(own.exit_code, 1) << own.err;
  EXPECT_EQ(own.out.substr(0, own.out.find('\n')), r.title);
  auto o = testing::run_dcfuzz("replay " + path + " --kernel mainline");
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
}

INSTANTIATE_TEST_SUITE_P(Reproducers, LockDropRegression,
                         ::testing::ValuesIn(testing::kLockDropReproducers),
                         testing::lock_drop_test_name);

// Replays corpus/regressions/`file` on each kernel of `fires_on` (where it
// must give `title`) and of `clean_on` (no finding); a null entry ends a list.
template <size_t F, size_t C>
void expect_only_where_it_exists(const char* file, const char* title,
                                 const char* const (&fires_on)[F],
                                 const char* const (&clean_on)[C]) {
  const std::string path = testing::source_path(std::string("corpus/regressions/") + file);
  pb::Schedule schedule;
  std::string error;
  ASSERT_TRUE(load_schedule(path, &schedule, &error)) << error;
  auto run_on = [&](const char* kernel) {
    pb::Kernel variant;
    PatchSet switches = 0;
    EXPECT_TRUE(parse_kernel(kernel, &variant, &switches, nullptr, &error)) << error;
    pb::Schedule s = schedule;
    set_kernel(s.mutable_scenario(), variant, switches);
    auto program = make_dcache_program(to_scenario(s.scenario()));
    ReplayStrategy strategy(s);
    return run_program(*program, strategy);
  };
  for (const char* k : fires_on) {
    if (!k) break;
    Execution e = run_on(k);
    EXPECT_TRUE(e.found) << file << " on " << k;
    EXPECT_EQ(e.title, title) << file << " on " << k;
  }
  for (const char* k : clean_on) {
    if (!k) break;
    Execution e = run_on(k);
    EXPECT_FALSE(e.found) << file << " on " << k << ": " << e.title;
  }
  // Through the binary, on the file's own kernel.
  auto own = testing::run_dcfuzz("replay " + path);
  EXPECT_EQ(own.exit_code, 1) << own.err;
  EXPECT_EQ(own.out.substr(0, own.out.find('\n')), title);
}

// The reproducers of the series' next step ("lift"): their files record the
// switches; each fires on its kernels and nowhere else, in the engine and
// through `dcfuzz replay --kernel`.
class LiftRegression : public ::testing::TestWithParam<testing::LiftReproducer> {};

TEST_P(LiftRegression, ReachesItsBugOnlyWhereItExists) {
  const auto& r = GetParam();
  expect_only_where_it_exists(r.file, r.title, r.fires_on, r.clean_on);
}

TEST_P(LiftRegression, ReplaysThroughTheBinaryCleanElsewhere) {
  const auto& r = GetParam();
  const std::string path = testing::source_path(std::string("corpus/regressions/") + r.file);
  for (const char* k : r.clean_on) {
    auto o = testing::run_dcfuzz("replay " + path + " --kernel " + k);
    EXPECT_EQ(o.exit_code, 0) << k << "\n" << o.out << o.err;
  }
}

INSTANTIATE_TEST_SUITE_P(Reproducers, LiftRegression,
                         ::testing::ValuesIn(testing::kLiftReproducers), testing::lift_test_name);

// The other reproducers of the README's table: each fires its title on its
// kernels and nothing elsewhere, in the engine and through `dcfuzz replay`.
class TableRegression : public ::testing::TestWithParam<testing::TableReproducer> {};

TEST_P(TableRegression, ReachesItsBugOnlyWhereItExists) {
  const auto& r = GetParam();
  expect_only_where_it_exists(r.file, r.title, r.fires_on, r.clean_on);
}

INSTANTIATE_TEST_SUITE_P(Reproducers, TableRegression,
                         ::testing::ValuesIn(testing::kTableReproducers), testing::table_test_name);

}  // namespace
}  // namespace dcfuzz
