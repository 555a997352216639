// The minimizer: each pass on a fake runner (fast, exact expectations), the
// targets on the regression reproducers, and `dcfuzz minimize` end to end.
#include "schedules/minimize.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "schedules/normalize.h"
#include "schedules/replay.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"
#include "testing/toy_programs.h"
#include "tests/run_binary.h"
#include "tests/schedule_text.h"

namespace dcfuzz {
namespace {

// A stand-in for the model with a known smallest reproducer: "the bug" needs
// two threads, T2 unlinking a name under a directory that has a disconnected
// alias, and a preemption to T2 at step 3 or later. Each operation takes 10
// steps; only preemptions and faults inside the run are recorded.
Execution fake_run(const pb::Schedule& s) {
  Execution e;
  const auto& sc = s.scenario();
  int ops = 0;
  for (const auto& t : sc.threads()) ops += t.ops_size();
  e.steps = uint32_t(10 * ops);
  for (const auto& p : s.preemptions()) {
    if (p.step() < e.steps) *e.recorded.add_preemptions() = p;
  }
  *e.recorded.mutable_faults() = s.faults();
  *e.recorded.mutable_choices() = s.choices();
  bool alias_dir_unlinked = false;
  if (sc.threads_size() >= 2) {
    for (const auto& op : sc.threads(1).ops()) {
      if (op.op() != pb::UNLINK) continue;
      const std::string dir = op.path().substr(0, op.path().find('/'));
      for (const auto& node : sc.tree()) {
        alias_dir_unlinked |= node.name() == dir && node.disconnected_alias() && node.dir();
      }
    }
  }
  bool preempted = false;
  for (const auto& p : e.recorded.preemptions()) preempted |= p.thread() == 2 && p.step() >= 3;
  if (alias_dir_unlinked && preempted) {
    e.found = true;
    e.title = "BUG: fake bug in unlink";
  }
  return e;
}

const char* kBloated = R"(
scenario {
  kernel: V4 fs: PLAIN
  tree { name: "directory" dir: true disconnected_alias: true }
  tree { parent: 1 name: "file1" }
  tree { name: "other" dir: true disconnected_alias: true }
  tree { parent: 3 name: "deep" dir: true }
  threads { ops { path: "directory/file1" } ops { op: CREATE path: "other/x" } }
  threads { ops { path: "other" } ops { op: UNLINK path: "directory/file1" } ops { path: "q" } }
  threads { ops { op: MKDIR path: "zzz" } }
}
preemptions { step: 2 thread: 3 }
preemptions { step: 9 thread: 1 }
preemptions { step: 25 thread: 2 }
preemptions { step: 40 thread: 1 }
choices { call: 4 value: 1 }
faults { thread: 3 nth: 1 }
faults { thread: 0 nth: 7 }
)";

MinimizeResult fake_minimize(const pb::Schedule& input, std::vector<std::string> passes = {}) {
  MinimizeOptions options;
  options.run = fake_run;
  options.passes = std::move(passes);
  return minimize(input, options);
}

TEST(Minimize, ReachesTheKnownSmallestReproducer) {
  MinimizeResult r = fake_minimize(testing::parse_text(kBloated));
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.title, "BUG: fake bug in unlink");
  EXPECT_EQ(r.before.threads, 3);
  EXPECT_EQ(r.before.operations, 6);
  EXPECT_EQ(r.before.preemptions, 4);
  EXPECT_EQ(r.before.faults, 2);
  EXPECT_EQ(r.before.steps, 60u);
  EXPECT_EQ(r.after.threads, 2);
  EXPECT_EQ(r.after.operations, 2);
  EXPECT_EQ(r.after.preemptions, 1);
  EXPECT_EQ(r.after.faults, 0);
  EXPECT_EQ(r.after.steps, 20u);
  EXPECT_EQ(r.schedule.choices_size(), 0);
  EXPECT_EQ(r.schedule.preemptions(0).step(), 3u);
  ASSERT_EQ(r.schedule.scenario().tree_size(), 1);
  EXPECT_EQ(r.schedule.scenario().tree(0).name(), "a");
  EXPECT_EQ(r.schedule.scenario().threads(1).ops(0).op(), pb::UNLINK);
  EXPECT_TRUE(fake_run(r.schedule).found);
  EXPECT_EQ(format_stats(r.after), "2 threads, 2 operations, 1 preemption, 0 faults, 20 steps");
}

TEST(Minimize, EveryPassIsDeterministicAndDoesItsPart) {
  const pb::Schedule input = testing::parse_text(kBloated);
  for (const std::string& pass : minimize_pass_names()) {
    MinimizeResult first = fake_minimize(input, {pass});
    MinimizeResult again = fake_minimize(input, {pass});
    EXPECT_EQ(to_text(first.schedule), to_text(again.schedule)) << pass;
    EXPECT_EQ(first.log, again.log) << pass;
    EXPECT_FALSE(first.log.empty()) << pass << " kept nothing";
    for (const auto& line : first.log) EXPECT_EQ(line.rfind(pass + ": ", 0), 0u) << line;
    EXPECT_TRUE(fake_run(first.schedule).found) << pass;
  }
}

TEST(Minimize, NamesKeepTheirCaseDifferences) {
  // On a case-insensitive filesystem "Foo" and "FOO" are one name spelled
  // twice: the pass renames both and keeps them distinct.
  pb::Schedule input = testing::parse_text(R"(
    scenario { fs: CASE_INSENSITIVE
      tree { name: "dir" dir: true disconnected_alias: true }
      threads { ops { path: "dir/Foo" } }
      threads { ops { op: UNLINK path: "dir/FOO" } } }
    preemptions { step: 5 thread: 2 })");
  MinimizeResult r = fake_minimize(input, {"simplify-names"});
  const auto& sc = r.schedule.scenario();
  EXPECT_EQ(sc.tree(0).name(), "a");
  EXPECT_EQ(sc.threads(0).ops(0).path(), "a/Fo");
  EXPECT_EQ(sc.threads(1).ops(0).path(), "a/FO");
}

// On the real engine: the toy lost wakeup needs exactly one preemption; the
// recorded interleaving keeps the schedule exact as the others go.
TEST(Minimize, RealEngineKeepsOnlyTheNeededPreemption) {
  auto program = toy::make_lost_wakeup();
  MinimizeOptions options;
  options.run = [&](const pb::Schedule& s) {
    if (s.scenario().threads_size() != program->thread_count()) return Execution{};
    ReplayStrategy replay(s);
    return run_program(*program, replay);
  };
  pb::Schedule input = testing::parse_text(R"(
    scenario { threads { ops { path: "a" } } threads { ops { path: "b" } } }
    preemptions { step: 0 thread: 2 } preemptions { step: 1 thread: 1 }
    preemptions { step: 2 thread: 2 } preemptions { step: 5 thread: 1 }
    choices { call: 0 value: 3 })");
  MinimizeResult r = minimize(input, options);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.title, "BUG: lost wakeup (toy)");
  EXPECT_EQ(r.after.threads, 2);
  EXPECT_EQ(r.after.preemptions, 1) << to_text(r.schedule);
  EXPECT_LE(r.after.steps, r.before.steps);
  EXPECT_TRUE(options.run(r.schedule).found);
}

TEST(Minimize, CleanInputIsLeftAlone) {
  pb::Schedule input = testing::parse_text("scenario { threads { ops { path: \"a\" } } }");
  MinimizeResult r = fake_minimize(input);
  EXPECT_FALSE(r.found);
  EXPECT_TRUE(r.log.empty());
  EXPECT_EQ(r.executions, 1u);
}

// ---- The real model: regression reproducers and the binary ----

struct Target {
  const char* file;  // in bench/minimize_inputs/: a regression reproducer with noise
  int threads, operations, preemptions_at_most, faults;
  bool lookups_only;
};

// Test listings name the file, not the bytes of the struct.
void PrintTo(const Target& target, std::ostream* os) { *os << target.file; }

class MinimizeRegression : public ::testing::TestWithParam<Target> {};

TEST_P(MinimizeRegression, ReachesTarget) {
  const Target& t = GetParam();
  pb::Schedule input;
  std::string error;
  ASSERT_TRUE(
      load_schedule(testing::source_path("bench/minimize_inputs/") + t.file, &input, &error))
      << error;
  MinimizeResult r = minimize(input);
  ASSERT_TRUE(r.found) << t.file;
  EXPECT_GT(r.before.threads, t.threads);
  EXPECT_EQ(r.after.threads, t.threads) << format_stats(r.after);
  EXPECT_EQ(r.after.operations, t.operations) << format_stats(r.after);
  EXPECT_LE(r.after.preemptions, t.preemptions_at_most) << format_stats(r.after);
  EXPECT_EQ(r.after.faults, t.faults) << format_stats(r.after);
  for (const auto& thread : r.schedule.scenario().threads()) {
    for (const auto& op : thread.ops()) EXPECT_TRUE(!t.lookups_only || op.op() == pb::LOOKUP);
  }
  // Same bucket, replayable, and the same result every time.
  Execution e = run_schedule(r.schedule);
  EXPECT_EQ(e.title, r.title);
  MinimizeResult again = minimize(input);
  EXPECT_EQ(to_text(again.schedule), to_text(r.schedule));
  EXPECT_EQ(again.log, r.log);
}

// Wrong waiter: 2 threads, one lookup each (the alias comes with the tree).
// Not-in-lookup unlock race: 2 threads, one lookup each. Allocation
// failures: 1 thread, 1 operation, 1 fault.
INSTANTIATE_TEST_SUITE_P(
    Targets, MinimizeRegression,
    ::testing::Values(Target{"wrong-waiter-alias-splice.textproto", 2, 2, 2, 0, true},
                      Target{"add-ci-not-in-lookup.textproto", 2, 2, 2, 0, true},
                      Target{"add-ci-alloc-parallel-enomem.textproto", 1, 1, 0, 1, true},
                      Target{"add-ci-d-alloc-enomem.textproto", 1, 1, 0, 1, false}),
    [](const auto& info) {
      std::string name = info.param.file;
      name = name.substr(0, name.find('.'));
      for (char& c : name) c = c == '-' ? '_' : c;
      return name;
    });

std::string regression(const std::string& name) {
  return testing::source_path("corpus/regressions/" + name);
}

TEST(MinimizeCommand, CleanScheduleExitsZero) {
  const std::string path = testing::write_temp(
      "clean.textproto", "scenario { kernel: V4_FIXED threads { ops { path: \"a\" } } }");
  auto o = testing::run_dcfuzz("minimize " + path);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("nothing to minimize"), std::string::npos) << o.out;
}

TEST(MinimizeCommand, BadInputExitsTwo) {
  auto missing = testing::run_dcfuzz("minimize /nonexistent/x.textproto");
  EXPECT_EQ(missing.exit_code, 2);
  const std::string bad = testing::write_temp("bad_min.textproto", "scenario { nonsense: 1 }");
  auto malformed = testing::run_dcfuzz("minimize " + bad);
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.err.find("malformed"), std::string::npos) << malformed.err;
  auto usage = testing::run_dcfuzz("minimize");
  EXPECT_EQ(usage.exit_code, 2);
  auto help = testing::run_dcfuzz("minimize --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find(".min.textproto"), std::string::npos) << help.out;
}

TEST(MinimizeCommand, WritesAReplayableSchedule) {
  pb::Schedule input;
  std::string error;
  const std::string file = regression("wrong-waiter-alias-splice.textproto");
  if (!load_schedule(file, &input, &error)) GTEST_SKIP() << error;
  const std::string out = ::testing::TempDir() + "ww.min.textproto";
  auto o = testing::run_dcfuzz("minimize " + file + " -o " + out);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.out.find("before: "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("after:  "), std::string::npos) << o.out;
  auto replay = testing::run_dcfuzz("replay " + out);
  EXPECT_EQ(replay.exit_code, 1) << replay.err;
  EXPECT_EQ(replay.out.substr(0, replay.out.find('\n')), o.out.substr(0, o.out.find('\n')));
  // "-o -": the schedule on stdout (same bytes apart from its comment), the summary on stderr.
  auto piped = testing::run_dcfuzz("minimize " + file + " -o -");
  EXPECT_EQ(piped.exit_code, 1) << piped.err;
  EXPECT_NE(piped.err.find("after:  "), std::string::npos) << piped.err;
  const std::string written = testing::slurp(out);
  EXPECT_EQ(piped.out.substr(piped.out.find("\nscenario")),
            written.substr(written.find("\nscenario")));
}

}  // namespace
}  // namespace dcfuzz
