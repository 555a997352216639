// The dcfuzz command line, end to end: help, exit codes, bad input.
#include <gtest/gtest.h>

#include "schedule.pb.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

using testing::expect_bad;
using testing::run_dcfuzz;
using testing::write_temp;

TEST(Cli, HelpListsCommandsAndOptions) {
  auto o = run_dcfuzz("--help");
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_NE(o.out.find("replay"), std::string::npos);
  EXPECT_NE(o.out.find("explore"), std::string::npos);
  auto r = run_dcfuzz("replay --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--kernel"), std::string::npos);
  EXPECT_EQ(r.out.find("--jobs"), std::string::npos);  // a fuzz option
}

TEST(Cli, BadUsage) {
  expect_bad("", "no command");
  expect_bad("frobnicate", "unknown command");
  expect_bad("replay --frobnicate x", "unknown option");
  expect_bad("replay --jobs 2 x", "does not apply");
  expect_bad("replay", "exactly one schedule FILE");
  expect_bad("replay --kernel", "needs a value");
}

TEST(Cli, BadInput) {
  expect_bad("replay /nonexistent/schedule.textproto", "cannot open");
  expect_bad("replay " + write_temp("garbage.pb", std::string("\xff\xfe\x00\x13garbage", 11)),
             "not a schedule");
  expect_bad("replay " + write_temp("bad.textproto", "scenario { threads { ops { op: JUMP } } }"),
             "malformed text-format schedule: line 1");
  const std::string ok = write_temp("ok.textproto", "scenario { threads { ops { path: \"a\" } } }");
  expect_bad("replay --kernel v5 " + ok, "unknown kernel variant");
  expect_bad("explore --bound 99 " + ok, "--bound wants an integer in 0..8");
  expect_bad("explore --bound two " + ok, "--bound wants an integer");
}

TEST(Cli, OutOfRangeValuesAreNormalisedNotRejected) {
  pb::Schedule s;
  s.mutable_scenario()->set_kernel(pb::Kernel(77));
  s.mutable_scenario()->set_fs(pb::Filesystem(12345));
  auto* op = s.mutable_scenario()->add_threads()->add_ops();
  op->set_op(pb::OpKind(99));
  op->set_path(std::string("\x01\x02//\xff", 5));
  auto* p = s.add_preemptions();
  p->set_step(4000000000u);
  p->set_thread(17);
  s.add_faults()->set_thread(9);
  auto o = run_dcfuzz("replay " + write_temp("odd.pb", s.SerializeAsString()));
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 1) << o.exit_code << " " << o.err;
}

TEST(Cli, ReplayIsByteForByteRepeatable) {
  const std::string path =
      write_temp("two.textproto",
                 "scenario { kernel: V4 tree { name: \"d\" dir: true } "
                 "threads { ops { path: \"d/x\" } } threads { ops { op: CREATE path: \"d/x\" } } }"
                 "preemptions { step: 3 thread: 2 }");
  auto first = run_dcfuzz("replay " + path);
  ASSERT_TRUE(first.exit_code == 0 || first.exit_code == 1) << first.err;
  for (int i = 0; i < 3; ++i) {
    auto again = run_dcfuzz("replay " + path);
    EXPECT_EQ(again.exit_code, first.exit_code);
    EXPECT_EQ(again.out, first.out);
  }
}

TEST(Cli, ExploreReportsAFindingAndExitsOne) {
  const std::string file =
      testing::source_path("corpus/regressions/wrong-waiter-alias-splice.textproto");
  auto o = run_dcfuzz("explore --bound 1 " + file);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_EQ(o.out.rfind("found after ", 0), 0u) << o.out;
  EXPECT_NE(o.out.find("\nBUG: lost wakeup in __d_move\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("preemptions {"), std::string::npos) << o.out;
  EXPECT_EQ(o.err, "");
}

TEST(Cli, ExploreCleanExitsZeroAndSaysWhetherItWasComplete) {
  const std::string file =
      testing::source_path("corpus/regressions/add-ci-not-in-lookup.textproto");
  auto complete = run_dcfuzz("explore --kernel v4-fixed --bound 1 " + file);
  EXPECT_EQ(complete.exit_code, 0) << complete.err;
  EXPECT_EQ(testing::count_lines(complete.out), 1u) << complete.out;
  EXPECT_NE(complete.out.find("at most 1 preemption: "), std::string::npos) << complete.out;
  EXPECT_NE(complete.out.find("search complete"), std::string::npos) << complete.out;
  auto limited = run_dcfuzz("explore --kernel v4-fixed --full --max-executions 40 " + file);
  EXPECT_EQ(limited.exit_code, 0) << limited.err;
  EXPECT_EQ(limited.out,
            "no finding in every interleaving: 40 executions, stopped at the execution limit\n");
}

TEST(Cli, ExploreBadUsage) {
  const std::string file =
      testing::source_path("corpus/regressions/add-ci-not-in-lookup.textproto");
  expect_bad("explore --bound 1 --full " + file, "--bound and --full exclude each other");
  expect_bad("explore --max-executions 0 " + file,
             "--max-executions wants an integer in 1..1000000000");
}

}  // namespace
}  // namespace dcfuzz
