// Every input path of the dcfuzz binary answers bad input with exit 2 and
// one line on stderr naming the problem -- never a crash, a hang or a silent
// default -- and hostile schedules are capped with one note line.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz/commands.h"
#include "schedule.pb.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

using testing::count_lines;
using testing::Outcome;
using testing::slurp;
using testing::write_temp;

// Like testing::run_dcfuzz, but killed after 30 s: a hang fails the test
// (exit 137) instead of stalling the suite.
Outcome run_bounded(const std::string& args) {
  static int counter = 0;
  const std::string base = ::testing::TempDir() + "dcfuzz_input_" + std::to_string(getpid()) + "_" +
                           std::to_string(++counter);
  const std::string command = "timeout -s KILL 30 " + std::string(DCFUZZ_BIN) + " " + args + " >" +
                              base + ".out 2>" + base + ".err </dev/null";
  Outcome o;
  const int status = std::system(command.c_str());
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.out = slurp(base + ".out");
  o.err = slurp(base + ".err");
  return o;
}

std::string temp_dir(const std::string& name) {
  const std::string path = ::testing::TempDir() + std::to_string(getpid()) + "_" + name;
  mkdir(path.c_str(), 0777);
  return path;
}

std::string temp_fifo(const std::string& name) {
  const std::string path = ::testing::TempDir() + std::to_string(getpid()) + "_" + name;
  unlink(path.c_str());
  mkfifo(path.c_str(), 0666);
  return path;
}

struct BadCase {
  std::string args;
  std::string mentions;  // the problem: the option, the file or the reason
};

void expect_all_bad(const std::vector<BadCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE("dcfuzz " + c.args);
    const Outcome o = run_bounded(c.args);
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_EQ(count_lines(o.err), 1u) << o.err;
    EXPECT_EQ(o.err.rfind("dcfuzz: ", 0), 0u) << o.err;
    EXPECT_NE(o.err.find(c.mentions), std::string::npos) << o.err;
  }
}

const std::string& ok_schedule() {
  static const std::string path =
      write_temp("input_ok.textproto", "scenario { threads { ops { path: \"a\" } } }");
  return path;
}

TEST(CliInput, Options) {
  const std::string ok = ok_schedule();
  expect_all_bad({
      {"", "no command given"},
      {"frobnicate " + ok, "unknown command 'frobnicate'"},
      {"--frobnicate", "'--frobnicate'"},
      {"replay --frobnicate " + ok, "unknown option '--frobnicate'"},
      {"replay -x " + ok, "unknown option '-x'"},
      {"replay --kernel", "--kernel needs a value"},
      {"replay --kernel v4 --kernel v4-fixed " + ok, "--kernel given twice"},
      {"replay --kernel=v4 --kernel=v4 " + ok, "--kernel given twice"},
      {"replay --kernel v5 " + ok, "unknown kernel variant 'v5'"},
      {"replay --kernel= " + ok, "unknown kernel variant ''"},
      {"replay --help=yes", "--help takes no value"},
      {"replay --jobs 2 " + ok, "--jobs does not apply to 'replay'"},
      {"replay --bound 2 " + ok, "--bound does not apply to 'replay'"},
      {"minimize --html x.html " + ok, "--html does not apply to 'minimize'"},
      {"fuzz -o x", "-o does not apply to 'fuzz'"},
      {"explore --bound " + ok, "'explore' wants exactly one schedule FILE"},
      {"explore " + ok + " --bound", "--bound needs a value"},
      {"explore --bound two " + ok, "--bound wants an integer in 0..8, got 'two'"},
      {"explore --bound 9 " + ok, "--bound wants an integer in 0..8, got '9'"},
      {"explore --bound -1 " + ok, "--bound wants an integer in 0..8"},
      {"explore --bound 2x " + ok, "--bound wants an integer"},
      {"explore --bound ' 2' " + ok, "--bound wants an integer"},
      {"explore --bound +2 " + ok, "--bound wants an integer"},
      {"explore --bound= " + ok, "--bound wants an integer"},
      {"explore --bound 99999999999999999999 " + ok, "--bound wants an integer"},
      {"explore --bound 1 --bound 2 " + ok, "--bound given twice"},
      {"explore --max-executions 0 " + ok, "--max-executions wants an integer"},
      {"explore --max-executions 1e9 " + ok, "--max-executions wants an integer"},
      {"fuzz --time 0", "--time wants an integer in 1..86400"},
      {"fuzz --time abc", "--time wants an integer"},
      {"fuzz --time 86401", "--time wants an integer"},
      {"fuzz --jobs 0", "--jobs wants an integer in 1..64"},
      {"fuzz --jobs 65", "--jobs wants an integer"},
      {"fuzz --seed -1", "--seed wants an integer"},
      {"fuzz --kernel v5", "unknown kernel variant 'v5'"},
      {"fuzz --out ''", "--out wants a directory"},
      {"fuzz --time 1 --time 2", "--time given twice"},
  });
}

TEST(CliInput, PositionalArguments) {
  const std::string ok = ok_schedule();
  expect_all_bad({
      {"replay", "'replay' wants exactly one schedule FILE"},
      {"minimize", "'minimize' wants exactly one schedule FILE"},
      {"explore --bound 1", "'explore' wants exactly one schedule FILE"},
      {"replay " + ok + " " + ok, "'replay' wants exactly one schedule FILE"},
      {"replay ''", "FILE name is empty"},
      {"replay /nonexistent/schedule.textproto", "cannot open /nonexistent/schedule.textproto"},
      {"replay " + temp_dir("input_dir"), "input_dir is a directory"},
      {"minimize " + temp_dir("input_dir"), "input_dir is a directory"},
      {"explore " + temp_dir("input_dir"), "input_dir is a directory"},
      {"replay " + write_temp("input_empty.pb", ""), "input_empty.pb: empty file"},
      {"replay " + temp_fifo("input_fifo"), "input_fifo: empty file"},
      {"replay /dev/zero", "/dev/zero is larger than 1 MiB"},
      {"replay -- -dash.textproto", "cannot open -dash.textproto"},
      {"replay -- " + ok + " --kernel", "'replay' wants exactly one schedule FILE"},
  });
}

TEST(CliInput, DoubleDashEndsOptions) {
  const std::string dir = temp_dir("input_dash");
  const std::string file = dir + "/-dash.textproto";
  std::ofstream(file) << "scenario { threads { ops { path: \"a\" } } }";
  const Outcome o = run_bounded("replay --kernel v4 -- " + file);
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 1) << o.err;
  EXPECT_EQ(o.err, "");
}

// What fuzz needs of --out and of each CORPUS before a campaign starts.
template <typename F>
std::string usage_error(F f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what;
  }
  return "";
}

TEST(CliInput, FuzzPathChecks) {
  const std::string dir = temp_dir("input_fuzz_dir");
  const std::string file = write_temp("input_fuzz_file", "x");
  EXPECT_EQ(usage_error([&] { check_output_dir(dir, "--out"); }), "");
  EXPECT_EQ(usage_error([&] { check_output_dir(dir + "/new", "--out"); }), "");
  EXPECT_EQ(usage_error([&] { check_output_dir(file, "--out"); }),
            "--out " + file + " is not a directory");
  EXPECT_EQ(usage_error([&] { check_output_dir("/nonexistent/out", "--out"); }),
            "--out /nonexistent/out: directory /nonexistent does not exist");
  EXPECT_EQ(usage_error([&] { check_output_dir("", "--out"); }), "--out wants a directory");
  EXPECT_EQ(usage_error([&] { check_corpus_dir(dir); }), "");
  EXPECT_EQ(usage_error([&] { check_corpus_dir(file); }),
            "corpus '" + file + "' is a file, not a directory of schedules");
  EXPECT_EQ(usage_error([&] { check_corpus_dir("/nonexistent/corpus"); }),
            "corpus directory '/nonexistent/corpus': No such file or directory");
}

TEST(CliInput, UnreadableFile) {
  // A file that opens but cannot be read, for root too.
  expect_all_bad({{"replay /proc/self/mem", "cannot read /proc/self/mem"}});
  if (geteuid() == 0) return;  // root opens a file of mode 0 all the same
  const std::string path = write_temp("input_unreadable.textproto", "scenario { }");
  chmod(path.c_str(), 0);
  expect_all_bad({{"replay " + path, "Permission denied"}});
}

TEST(CliInput, ScheduleContents) {
  std::string huge_varint = "\x08";
  huge_varint += std::string(100000, '\xff') + "\x01";
  std::string deep_groups = std::string(100000, '\x0b') + std::string(100000, '\x0c');
  expect_all_bad({
      {"replay " + write_temp("input_garbage.pb", std::string("\xff\xfe\x00\x13zz", 6)),
       "input_garbage.pb: not a schedule"},
      {"replay " + write_temp("input_unknown.pb", std::string("\x78\x01", 2)),
       "input_unknown.pb: not a schedule"},
      {"replay " + write_temp("input_bad.textproto", "scenario { threads { ops { op: JUMP } } }"),
       "input_bad.textproto: malformed text-format schedule: line 1"},
      {"replay " + write_temp("input_field.textproto", "scenario { colour: 3 }"),
       "no field named \"colour\""},
      {"replay " + write_temp("input_unclosed.textproto", "scenario { threads {"),
       "input_unclosed.textproto: malformed"},
      {"replay " + write_temp("input_range.textproto", "preemptions { step: 99999999999 }"),
       "input_range.textproto: malformed"},
      {"replay " + write_temp("input_varint.pb", huge_varint), "input_varint.pb: not a schedule"},
      {"replay " + write_temp("input_groups.pb", deep_groups), "input_groups.pb: not a schedule"},
      {"replay " + write_temp("input_10mb.pb", std::string(10 << 20, '\n')),
       "input_10mb.pb is larger than 1 MiB"},
  });
}

TEST(CliInput, OutputPaths) {
  const std::string ok = ok_schedule();
  const std::string dir = temp_dir("input_outdir");
  const std::string file = write_temp("input_plain_file", "x");
  expect_all_bad({
      {"replay --html " + dir + " " + ok, "--html " + dir + " is a directory"},
      {"replay --html /nonexistent/x.html " + ok, "directory /nonexistent does not exist"},
      {"replay --html " + temp_fifo("input_html_fifo") + " " + ok, "is not a regular file"},
      {"replay --html '' " + ok, "--html wants a file name"},
      {"minimize " + ok + " -o " + dir, "-o " + dir + " is a directory"},
      {"minimize " + ok + " -o " + dir + "/", "names a directory"},
      {"minimize " + ok + " -o /nonexistent/dir/min.textproto",
       "directory /nonexistent/dir does not exist"},
      {"minimize " + ok + " -o " + file + "/min.textproto", "input_plain_file is not a directory"},
      {"minimize " + ok + " -o ''", "-o wants a file name"},
      {"fuzz --time 1 --out " + file, "input_plain_file"},
      {"fuzz --time 1 --out /nonexistent/out", "/nonexistent/out"},
      {"fuzz --time 1 --out " + dir + "/out /nonexistent/corpus", "/nonexistent/corpus"},
      {"fuzz --time 1 --out " + dir + "/out " + file, "input_plain_file"},
  });
  // Nothing was left behind by the refusals.
  struct stat st;
  EXPECT_NE(stat((dir + "/out").c_str(), &st), 0);
}

// A schedule beyond the model's limits still runs, with one note saying what
// was capped, quickly.
Outcome run_hostile(const std::string& name, const std::string& bytes) {
  const auto start = std::chrono::steady_clock::now();
  Outcome o = run_bounded("replay " + write_temp(name, bytes));
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 1) << o.exit_code << " " << o.err;
  EXPECT_EQ(count_lines(o.err), 1u) << o.err;
  EXPECT_EQ(o.err.rfind("dcfuzz: note: ", 0), 0u) << o.err;
  EXPECT_NE(o.err.find(name), std::string::npos) << o.err;
  EXPECT_LT(seconds, 10.0);
  return o;
}

TEST(CliInput, HostileSchedulesAreCappedWithANote) {
  std::string text = "scenario {\n";
  for (int i = 0; i < 5000; ++i) text += "  threads { ops { path: \"a\" } }\n";
  text += "}\n";
  Outcome threads = run_hostile("input_threads.textproto", text);
  EXPECT_NE(threads.err.find("5000 threads, capped to 4"), std::string::npos) << threads.err;

  pb::Schedule s;
  auto* thread = s.mutable_scenario()->add_threads();
  for (int i = 0; i < 3000; ++i) thread->add_ops()->set_path("a/b/c/d/e/averylongname");
  for (int i = 0; i < 40; ++i) s.mutable_scenario()->add_tree()->set_name("n" + std::to_string(i));
  for (uint32_t i = 0; i < 100000; ++i) s.add_preemptions()->set_step(i);
  Outcome binary = run_hostile("input_ops.pb", s.SerializeAsString());
  for (const char* cap :
       {"3000 operations in a thread, capped to 6", "40 tree nodes, capped to 8",
        "6 components in a path, capped to 3", "100000 preemptions, capped to 64"}) {
    EXPECT_NE(binary.err.find(cap), std::string::npos) << cap << "\n" << binary.err;
  }
}

TEST(CliInput, ScheduleWithinLimitsGetsNoNote) {
  const Outcome o = run_bounded("replay " + ok_schedule());
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 1) << o.err;
  EXPECT_EQ(o.err, "");
}

}  // namespace
}  // namespace dcfuzz
