// The oracles of issue 12 in the model (core/coherence.cc): the dcache
// against the disk, and the results against the sequential filesystem. Each
// fires on a schedule written for it, on every variant with v4 7/7's lock
// drop; the same scenario on mainline stays silent under replay and under a
// complete bound-2 search; the findings report, bucket and minimize like the
// others.
#include <gtest/gtest.h>

#include "core/model.h"
#include "schedules/engine.h"
#include "schedules/normalize.h"
#include "schedules/replay.h"
#include "schedules/schedule_io.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

constexpr const char* kStalePositive = "BUG: dcache incoherent: stale positive dentry";
constexpr const char* kWrongRename = "BUG: wrong result: rename(...) = 0";

std::string regression(const std::string& name) {
  return testing::source_path("corpus/regressions/" + name);
}

pb::Schedule load(const std::string& path) {
  pb::Schedule s;
  std::string error;
  EXPECT_TRUE(load_schedule(path, &s, &error)) << error;
  return s;
}

Execution run(pb::Schedule schedule, pb::Kernel kernel, const ModelOptions& options = {}) {
  schedule.mutable_scenario()->set_kernel(kernel);
  auto program = make_dcache_program(to_scenario(schedule.scenario()), options);
  ReplayStrategy strategy(schedule);
  return run_program(*program, strategy);
}

struct Case {
  const char* file;
  const char* title;
  std::vector<const char*> details;
  bool explore = true;  // small enough for a bound-2 search in a unit test
};

class ModelOracle : public ::testing::TestWithParam<Case> {};

TEST_P(ModelOracle, FiresWhereTheLockDropIs) {
  const Case& c = GetParam();
  const pb::Schedule s = load(regression(c.file));
  for (pb::Kernel k : {pb::V4, pb::V4_FIX_MOVE, pb::V4_FIX_ADD_CI, pb::V4_FIXED}) {
    Execution e = run(s, k);
    ASSERT_TRUE(e.found) << pb::Kernel_Name(k);
    EXPECT_EQ(e.title, c.title) << pb::Kernel_Name(k);
    for (const char* part : c.details)
      EXPECT_NE(e.details.find(part), std::string::npos) << part << "\n" << e.details;
  }
}

TEST_P(ModelOracle, SilentWithoutTheOracles) {
  ModelOptions off;
  off.oracles = false;
  EXPECT_FALSE(run(load(regression(GetParam().file)), pb::V4_FIXED, off).found);
}

TEST_P(ModelOracle, MainlineExploresClean) {
  const Case& c = GetParam();
  EXPECT_FALSE(run(load(regression(c.file)), pb::MAINLINE).found);
  if (!c.explore) return;
  auto o = testing::run_dcfuzz("explore " + regression(c.file) + " --kernel mainline --bound 2");
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("search complete"), std::string::npos) << o.out;
}

// The binary reports under the title; minimize keeps it (a thread and a
// preemption of noise added first); the campaign's bucket is the title's.
TEST_P(ModelOracle, ReportsAndMinimizesUnderItsTitle) {
  const Case& c = GetParam();
  auto replay = testing::run_dcfuzz("replay " + regression(c.file));
  EXPECT_EQ(replay.exit_code, 1) << replay.err;
  EXPECT_EQ(replay.out.substr(0, replay.out.find('\n')), c.title);
  pb::Schedule noisy = load(regression(c.file));
  auto* thread = noisy.mutable_scenario()->add_threads();
  for (int i = 0; i < 2; ++i) {
    auto* op = thread->add_ops();
    op->set_op(pb::LOOKUP);
    op->set_path("zz");
  }
  const std::string in = testing::write_temp(std::string("noisy-") + c.file, to_text(noisy));
  const std::string out = in + ".min";
  auto minimize = testing::run_dcfuzz("minimize " + in + " -o " + out);
  ASSERT_EQ(minimize.exit_code, 1) << minimize.out << minimize.err;
  auto again = testing::run_dcfuzz("replay " + out);
  EXPECT_EQ(again.out.substr(0, again.out.find('\n')), c.title) << again.out;
  EXPECT_EQ(load(out).scenario().threads_size(), load(regression(c.file)).scenario().threads_size())
      << "the noise is gone";
}

INSTANTIATE_TEST_SUITE_P(
    Oracles, ModelOracle,
    ::testing::Values(
        Case{"lock-drop-stale-positive.textproto",
             kStalePositive,
             {"dcache: dentry /foo is hashed and names inode /foo (last changed by T1 lookup FOO",
              "disk: directory / has no entry \"foo\" (last changed by T2 rename foo bar",
              "Left so by T1 lookup FOO"}},
        Case{"lock-drop-double-rename.textproto",
             kWrongRename,
             {"rename(\"A\", \"b\") = 0: no order of the operations",
              "a sequential filesystem gives T1 rename(\"A\", \"b\") = -ENOENT"}},
        Case{"lock-drop-double-rename-mkdir.textproto",
             "BUG: wrong result: mkdir(...) = -EEXIST",
             {"T1 mkdir(\"B\") = -EEXIST: no order of the operations"},
             false},
        Case{"lock-drop-unalias-creat-eexist.textproto",
             "BUG: wrong result: creat(...) = -EEXIST",
             {"T2 creat(\"A\") = -EEXIST: no order of the operations",
              "but T1 rename(\"A\", \"d\") ended (step 93) before T2 creat(\"A\") began (step "
              "130)"}},
        Case{"lock-drop-unalias-open.textproto",
             "BUG: wrong result: open(..., O_CREAT) = created",
             {"T2 open(\"B/B\", O_CREAT) = created: no order of the operations"},
             false},
        Case{"lock-drop-unalias-open-eisdir.textproto",
             "BUG: wrong result: open(..., O_CREAT) = -EISDIR",
             {"T3 open(\"b\", O_CREAT) = -EISDIR: no order of the operations"},
             false},
        Case{"lock-drop-unalias-stat.textproto",
             "BUG: wrong result: stat(...) = 0",
             {"T1 stat(\"c/d\") = 0 (/c/d): no order of the operations"},
             false},
        Case{"lock-drop-unalias-creat.textproto",
             "BUG: wrong result: creat(...) = 0",
             {"T1 creat(\"c\") = 0: no order of the operations"},
             false},
        Case{"lock-drop-unalias-unlink-eisdir.textproto",
             "BUG: wrong result: unlink(...) = -EISDIR",
             {"T1 unlink(\"C/A\") = -EISDIR: no order of the operations"},
             false},
        Case{"lock-drop-unalias-unlink-enoent.textproto",
             "BUG: wrong result: unlink(...) = -ENOENT",
             {"T1 unlink(\"C/A\") = -ENOENT: no order of the operations"},
             false}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string name = info.param.file;
      name = name.substr(0, name.find('.'));
      for (char& ch : name)
        if (ch == '-') ch = '_';
      return name;
    });

Execution run_text(const std::string& text, const ModelOptions& options) {
  pb::Schedule s;
  std::string error;
  EXPECT_TRUE(parse_schedule(text, &s, &error)) << error;
  normalize(&s);
  auto program = make_dcache_program(to_scenario(s.scenario()), options);
  ReplayStrategy strategy(s);
  return run_program(*program, strategy);
}

// The rules no variant breaks, on a model broken for the purpose: a create
// that leaves the cached negative dentry negative, a splice that adds a
// second alias of a directory. Silent with the model intact.
TEST(ModelOracle, SeesAStaleNegativeDentryAndASecondAlias) {
  const std::string negative =
      "scenario { kernel: MAINLINE fs: PLAIN threads { ops { op: LOOKUP path: \"foo\" } ops { "
      "op: CREATE path: \"foo\" } } }";
  const std::string alias =
      "scenario { kernel: MAINLINE fs: NFS tree { name: \"d\" dir: true disconnected_alias: "
      "true } threads { ops { op: LOOKUP path: \"d\" } } }";
  ModelOptions broken;
  broken.selftest_incoherence = SelftestIncoherence::create_keeps_negative;
  Execution e = run_text(negative, broken);
  EXPECT_EQ(e.title, "BUG: dcache incoherent: stale negative dentry");
  EXPECT_NE(e.details.find("dcache: dentry /foo is hashed and negative (last changed by T1 "
                           "lookup foo"),
            std::string::npos)
      << e.details;
  EXPECT_NE(e.details.find("disk: directory / has \"foo\" -> inode /foo (last changed by T1 "
                           "create foo"),
            std::string::npos)
      << e.details;
  // The second alias: the model's invariant check (core/invariants.cc), which
  // runs at every decision, sees it before the coherence check could.
  broken.selftest_incoherence = SelftestIncoherence::splice_second_alias;
  e = run_text(alias, broken);
  EXPECT_EQ(e.title, "BUG: dcache invariant: directory inode with two aliases");
  EXPECT_NE(e.details.find("directory inode with two aliases: dentry /d"), std::string::npos)
      << e.details;
  EXPECT_FALSE(run_text(negative, {}).found);
  EXPECT_FALSE(run_text(alias, {}).found);
}

// The coherence check must not mistake a directory in the middle of an
// operation for a stale one: every interleaving (to bound 2) of a rename
// racing a lookup and an unlink of its names, on each filesystem, is clean
// on mainline.
TEST(ModelOracle, QuiescenceIsRespectedOnMainline) {
  for (const char* fs : {"PLAIN", "NFS", "CASE_INSENSITIVE"}) {
    const std::string text = std::string("scenario { kernel: MAINLINE fs: ") + fs +
                             " tree { name: \"d\" dir: true } tree { parent: 1 name: \"foo\" }"
                             " threads { ops { op: RENAME path: \"d/foo\" path2: \"d/bar\" } }"
                             " threads { ops { op: LOOKUP path: \"d/FOO\" } ops { op: UNLINK "
                             "path: \"d/bar\" } } }\n";
    const std::string file = testing::write_temp(std::string("quiet-") + fs + ".textproto", text);
    auto o = testing::run_dcfuzz("explore " + file + " --bound 2");
    EXPECT_EQ(o.exit_code, 0) << fs << "\n" << o.out << o.err;
  }
}

}  // namespace
}  // namespace dcfuzz
