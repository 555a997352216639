// dcfuzz fuzz, end to end: a short campaign on v4 with the shipped seeds
// finds a bug and writes its bucket; bad usage exits 2 with one line.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <vector>

#include "schedule.pb.h"
#include "schedules/schedule_io.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

using testing::expect_bad;
using testing::run_dcfuzz;
using testing::slurp;

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// The buckets findings.tsv lists, in its order.
std::vector<std::string> buckets_of(const std::string& tsv) {
  std::vector<std::string> buckets;
  std::istringstream lines(tsv);
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) buckets.push_back(line.substr(0, line.find('\t')));
  return buckets;
}

// The bucket on the line after findings.tsv's header.
std::string first_bucket(const std::string& tsv) {
  const auto buckets = buckets_of(tsv);
  return buckets.empty() ? "" : buckets.front();
}

size_t count_files(const std::string& dir) {
  return size_t(std::distance(std::filesystem::directory_iterator(dir),
                              std::filesystem::directory_iterator()));
}

TEST(FuzzCampaign, BadUsageExits2) {
  const std::string out = " --out " + ::testing::TempDir() + "dcfuzz_bad_usage";
  expect_bad("fuzz --kernel v5" + out, "unknown kernel variant");
  expect_bad("fuzz --time 0" + out, "--time wants an integer in 1..86400");
  expect_bad("fuzz --jobs 0" + out, "--jobs wants an integer");
  expect_bad("fuzz --time 1" + out + " /nonexistent/corpus",
             "corpus directory '/nonexistent/corpus'");
}

TEST(FuzzCampaign, HelpNamesTheOptions) {
  auto o = run_dcfuzz("fuzz --help");
  EXPECT_EQ(o.exit_code, 0);
  for (const char* option :
       {"--kernel", "--time", "--jobs", "--out", "--no-interleaving-coverage"}) {
    EXPECT_NE(o.out.find(option), std::string::npos) << option;
  }
}

// The README's main command, shortened: default seeds, default kernel (v4).
TEST(FuzzCampaign, FindsABugOnV4AndWritesItsBucket) {
  const std::string out = ::testing::TempDir() + "dcfuzz_campaign_v4";
  std::filesystem::remove_all(out);  // a fresh campaign, not one resumed from an earlier run
  auto o = run_dcfuzz("fuzz --time 20 --seed 1 --out " + out);
  ASSERT_EQ(o.exit_code, 1) << o.out << o.err;
  const std::string tsv = slurp(out + "/findings.tsv");
  ASSERT_GE(testing::count_lines(tsv), 2u) << tsv;  // a header and at least one bucket
  const std::string dir = out + "/" + first_bucket(tsv);
  for (const char* file : {"report.txt", "schedule.textproto", "schedule.pb"}) {
    EXPECT_TRUE(exists(dir + "/" + file)) << dir << "/" << file;
  }
  // The schedule replays to the same bucket.
  auto replay = run_dcfuzz("replay " + dir + "/schedule.textproto");
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_EQ(first_line(replay.out), first_line(slurp(dir + "/report.txt")));
  EXPECT_NE(o.out.find("found"), std::string::npos) << o.out;
  // Progress: one short line each (it does not list the buckets), and a line
  // of its own for each bucket as it appears.
  size_t progress_lines = 0;
  std::istringstream lines(o.err);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" execs, ") == std::string::npos) continue;
    ++progress_lines;
    EXPECT_LE(line.size(), 80u) << line;
    EXPECT_NE(line.find(" bucket"), std::string::npos) << line;
  }
  EXPECT_GE(progress_lines, 2u) << o.err;
  std::istringstream rows(tsv);
  std::string row;
  std::getline(rows, row);  // the header
  while (std::getline(rows, row)) {
    const std::string title = row.substr(row.rfind('\t') + 1);
    EXPECT_NE(o.err.find("new bucket: " + title + " (after "), std::string::npos) << o.err;
  }
}

// A worker's warm-up (fuzz/target.h run_warmup) comes out of its share of
// --max-executions: a share the warm-up uses up is all warm-up, and a
// larger one still ends at the limit.
TEST(FuzzCampaign, TheWarmupCountsTowardsMaxExecutions) {
  for (const char* executions : {"10", "200"}) {
    SCOPED_TRACE(executions);
    const std::string out = ::testing::TempDir() + "dcfuzz_campaign_warmup_" + executions;
    std::filesystem::remove_all(out);
    auto o = run_dcfuzz(std::string("fuzz --kernel mainline --seed 3 --max-executions ") +
                        executions + " --out " + out);
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    EXPECT_NE(o.out.find(std::string(", ") + executions + " executions ("), std::string::npos)
        << o.out;
  }
}

// --max-executions bounds a campaign that starts from a corpus bigger than
// its share: libFuzzer runs every input of the corpus it starts from before
// -runs counts, so only the target's own count ends the worker in time.
TEST(FuzzCampaign, MaxExecutionsBoundsACampaignFromABigCorpus) {
  const std::string base = ::testing::TempDir() + "dcfuzz_campaign_big_corpus";
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base);
  auto first =
      run_dcfuzz("fuzz --kernel mainline --seed 3 --max-executions 400 --out " + base + "/first");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  size_t inputs = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(base + "/first/corpus"))
    ++inputs;
  ASSERT_GT(inputs, 150u);  // the corpus is bigger than the shares below
  for (const char* jobs : {"1", "2"}) {
    SCOPED_TRACE(jobs);
    const std::string out = base + "/out" + jobs;
    auto o = run_dcfuzz("fuzz " + base + "/first/corpus --kernel mainline --seed 4 --jobs " + jobs +
                        " --max-executions 100 --out " + out);
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    EXPECT_EQ(o.err.find("stopped abnormally"), std::string::npos) << o.err;
    EXPECT_NE(o.out.find(", 100 executions ("), std::string::npos) << o.out;
  }
}

// From an empty corpus directory: libFuzzer starts from its one-byte input,
// which runs the empty schedule and must show a feature, or libFuzzer stops
// at once ("no interesting inputs") and the campaign loses its worker.
TEST(FuzzCampaign, AnEmptyCorpusIsAStartNotAnEnd) {
  const std::string base = ::testing::TempDir() + "dcfuzz_campaign_empty_corpus";
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base + "/corpus");
  auto o = run_dcfuzz("fuzz " + base + "/corpus --kernel mainline --seed 3 --max-executions 400 " +
                      "--out " + base + "/out");
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(o.err.find("stopped abnormally"), std::string::npos) << o.err;
  EXPECT_NE(o.out.find(", 400 executions ("), std::string::npos) << o.out;
}

// The campaign runs from any directory: the shipped seeds are in the binary.
TEST(FuzzCampaign, RunsFromAnyDirectory) {
  const std::string out = ::testing::TempDir() + "dcfuzz_campaign_cwd_" + std::to_string(getpid());
  std::filesystem::remove_all(out);
  const std::string command = std::string("cd / && ") + DCFUZZ_BIN +
                              " fuzz --time 3 --seed 2 --out " + out + " >/dev/null 2>" + out +
                              ".err";
  const int status = std::system(command.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1) << slurp(out + ".err");
  EXPECT_NE(slurp(out + ".err").find(" shipped seed schedules imported"), std::string::npos)
      << slurp(out + ".err");
  std::filesystem::remove_all(out);
  std::filesystem::remove(out + ".err");
}

// Killing a campaign (the signal a user's Ctrl-C or a script's kill sends)
// ends it as time up would: workers stop between executions, the reports,
// findings.tsv and the summary are written, no worker is left behind, and
// no finding comes from the interruption itself.
// `dcfuzz fuzz --jobs 2 --out OUT` in its own process group (a signal to the
// group reaches the workers too, as Ctrl-C would), output discarded.
pid_t start_campaign(const std::string& out, const char* seconds) {
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execl(DCFUZZ_BIN, DCFUZZ_BIN, "fuzz", "--time", seconds, "--jobs", "2", "--seed", "5", "--out",
          out.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid > 0) setpgid(pid, pid);
  return pid;
}

// Waits until OUT/findings.tsv announces a bucket (a few seconds at most on v4).
bool wait_for_a_bucket(const std::string& out) {
  for (int i = 0; i < 600; ++i) {
    if (testing::count_lines(slurp(out + "/findings.tsv")) >= 2) return true;
    usleep(100 * 1000);
  }
  return false;
}

TEST(FuzzCampaign, SigtermEndsTheCampaignCleanly) {
  const std::string out = ::testing::TempDir() + "dcfuzz_campaign_sigterm";
  std::filesystem::remove_all(out);
  const pid_t pid = start_campaign(out, "120");
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for_a_bucket(out)) << "no finding within a minute";
  ASSERT_EQ(kill(-pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(kill(-pid, 0), 0) << "a worker outlived the campaign";
  const std::string final_tsv = slurp(out + "/findings.tsv");
  EXPECT_EQ(final_tsv.find("in the model"), std::string::npos) << final_tsv;
  const std::string dir = out + "/" + first_bucket(final_tsv);
  EXPECT_TRUE(exists(dir + "/report.txt")) << dir;
  EXPECT_TRUE(exists(dir + "/schedule.pb")) << dir;
}

// Killed outright, a campaign loses no bucket it announced: each one's found
// schedule is on disk; the same command again resumes from OUT's corpus and
// first writes the reports the killed one had no time for.
TEST(FuzzCampaign, SigkillLosesNoAnnouncedBucketAndTheSameCommandResumes) {
  const std::string out = ::testing::TempDir() + "dcfuzz_campaign_sigkill";
  std::filesystem::remove_all(out);
  const pid_t pid = start_campaign(out, "30");
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for_a_bucket(out)) << "no finding within a minute";
  ASSERT_EQ(kill(-pid, SIGKILL), 0);
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);
  const auto announced = buckets_of(slurp(out + "/findings.tsv"));
  ASSERT_FALSE(announced.empty());
  for (const auto& bucket : announced) {
    EXPECT_TRUE(exists(out + "/" + bucket + "/original.textproto")) << bucket;
    std::filesystem::remove(out + "/" + bucket + "/report.txt");  // as if killed before it
  }
  const size_t corpus = count_files(out + "/corpus");
  // The same command; stopped once it has announced a bucket of its own.
  std::filesystem::remove(out + "/findings.tsv");
  const pid_t again = start_campaign(out, "30");
  ASSERT_GT(again, 0);
  ASSERT_TRUE(wait_for_a_bucket(out));
  kill(-again, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(again, &status, 0), again);
  for (const auto& bucket : announced) {
    EXPECT_TRUE(exists(out + "/" + bucket + "/report.txt")) << bucket;
  }
  EXPECT_GE(count_files(out + "/corpus"), corpus);
}

// The campaign's workers: the processes whose parent is `pid`.
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = slurp(entry.path().string() + "/stat");
    const size_t close = stat.rfind(')');  // after the command name, which may hold spaces
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string state;
    pid_t parent = 0;
    fields >> state >> parent;
    if (parent == pid) children.push_back(pid_t(std::stol(name)));
  }
  return children;
}

// A worker that dies (the model crashed in it: a dcfuzz bug; or killed) is
// an engine error the campaign says, with exit 3 -- not "no findings" and
// exit 0. A crash signal goes to the worker's own handler (not libFuzzer's,
// which freed memory through the model's allocator and came back as a
// finding that did not replay): one line, and the input it ran saved.
// `stop_campaign`: then SIGTERM to the campaign (as Ctrl-C).
void kill_the_worker_of_a_campaign(int sig, std::string* said, bool stop_campaign = false) {
  const std::string out =
      ::testing::TempDir() + "dcfuzz_campaign_worker_dies_" + std::to_string(sig);
  std::filesystem::remove_all(out);
  const std::string err = out + ".err";
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    const int log = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(null, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    execl(DCFUZZ_BIN, DCFUZZ_BIN, "fuzz", "--kernel", "mainline", "--time", "60", "--jobs", "1",
          "--seed", "5", "--out", out.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  std::vector<pid_t> workers;
  for (int i = 0; i < 300 && workers.empty(); ++i) {
    usleep(100 * 1000);
    workers = children_of(pid);
  }
  ASSERT_FALSE(workers.empty()) << "no worker started";
  usleep(500 * 1000);  // into its loop
  for (pid_t worker : workers) kill(worker, sig);
  if (stop_campaign) kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 3);
  *said = slurp(err);
  EXPECT_NE(said->find("stopped abnormally"), std::string::npos) << *said;
  EXPECT_NE(said->find("dcfuzz: engine error: 1 of 1 worker stopped abnormally"), std::string::npos)
      << *said;
  EXPECT_EQ(said->find("new bucket:"), std::string::npos) << *said;
  const std::string saved = "an input, saved as ";
  if (size_t at = said->find(saved + out); at != std::string::npos) {
    const std::string path =
        said->substr(at + saved.size(), said->find(' ', at + saved.size()) - (at + saved.size()));
    EXPECT_TRUE(exists(path)) << path;
  }
  std::filesystem::remove_all(out);
  std::filesystem::remove(err);
}

TEST(FuzzCampaign, AWorkerKilledIsAnEngineErrorNotNoFindings) {
  std::string said;
  kill_the_worker_of_a_campaign(SIGKILL, &said);
}

// A worker that does not stop when the campaign stops (an execution that
// never ends; here a stopped process) is killed after a grace period.
TEST(FuzzCampaign, AWorkerThatDoesNotStopIsKilledAfterTheStop) {
  std::string said;
  kill_the_worker_of_a_campaign(SIGSTOP, &said, true);
  EXPECT_NE(said.find("it did not stop when told to, and was killed"), std::string::npos) << said;
}

TEST(FuzzCampaign, AWorkerThatCrashesSaysSoAndSavesItsInput) {
  std::string said;
  kill_the_worker_of_a_campaign(SIGSEGV, &said);
  EXPECT_NE(said.find("dcfuzz worker: the model crashed (signal 11) running "), std::string::npos)
      << said;
}

// OUT belongs to one campaign: a second one on it is refused, with one line
// naming the first, and takes nothing from it.
TEST(FuzzCampaign, ASecondCampaignOnTheSameOutIsRefused) {
  const std::string out =
      ::testing::TempDir() + "dcfuzz_campaign_locked_" + std::to_string(getpid());
  std::filesystem::remove_all(out);
  const pid_t pid = start_campaign(out, "60");
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for_a_bucket(out)) << "no finding within a minute";
  const std::string tsv = slurp(out + "/findings.tsv");
  testing::expect_bad("fuzz --time 5 --out " + out,
                      "--out " + out + " is in use by another campaign (dcfuzz fuzz, pid " +
                          std::to_string(pid) + ")");
  kill(-pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  // The first campaign's buckets are all still listed.
  const auto final_buckets = buckets_of(slurp(out + "/findings.tsv"));
  for (const auto& bucket : buckets_of(tsv)) {
    EXPECT_NE(std::find(final_buckets.begin(), final_buckets.end(), bucket), final_buckets.end())
        << bucket;
  }
  // Once it has ended, OUT is free again.
  auto again = run_dcfuzz("fuzz --time 1 --seed 3 --out " + out);
  EXPECT_NE(again.exit_code, 2) << again.err;
  std::filesystem::remove_all(out);
}

// A full file system (a 64 KiB tmpfs as OUT): no finding is lost. The
// summary says which could not be saved and prints each one's minimized
// schedule, which replays to the bucket's title; exit 2.
TEST(FuzzCampaign, FullDiskLosesNoFinding) {
  const std::string mount_point =
      ::testing::TempDir() + "dcfuzz_full_disk_" + std::to_string(getpid());
  std::filesystem::create_directories(mount_point);
  const std::string mount = "mount -t tmpfs -o size=64k dcfuzz-test " + mount_point + " 2>&1";
  if (std::system(mount.c_str()) != 0) {
    std::filesystem::remove(mount_point);
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root and a mount namespace that allows "
                    "it): the full-disk case is not tested";
  }
  struct Unmount {
    std::string path;
    ~Unmount() {
      if (std::system(("umount " + path).c_str()) == 0) std::filesystem::remove(path);
    }
  } unmount{mount_point};
  auto o = run_dcfuzz("fuzz --time 4 --seed 1 --out " + mount_point + "/out");
  EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
  EXPECT_NE(o.out.find("could not be saved"), std::string::npos) << o.out;
  EXPECT_NE(o.err.find("dcfuzz: a finding could not be saved"), std::string::npos) << o.err;
  // Each unsaved bucket: its title in the summary, then its schedule between markers.
  const std::string begin = "NOT SAVED (";
  size_t unsaved = 0;
  for (size_t at = o.out.find(begin); at != std::string::npos; at = o.out.find(begin, at + 1)) {
    const size_t title_end = o.out.rfind("\n      first after", at);
    const size_t title_begin = o.out.rfind("\n  ", title_end - 1) + 3;
    const std::string title = o.out.substr(title_begin, title_end - title_begin);
    const size_t text_begin = o.out.find(".textproto -----\n", at) + 17;
    const size_t text_end = o.out.find("----- end of ", text_begin);
    ASSERT_NE(text_end, std::string::npos) << o.out;
    const std::string file =
        testing::write_temp("unsaved.textproto", o.out.substr(text_begin, text_end - text_begin));
    auto replay = run_dcfuzz("replay " + file);
    EXPECT_EQ(replay.exit_code, 1) << file;
    EXPECT_EQ(first_line(replay.out), title);
    ++unsaved;
  }
  EXPECT_GE(unsaved, 1u) << o.out;
}

}  // namespace
}  // namespace dcfuzz
