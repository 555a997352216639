// dcfuzz fuzz, end to end: a short campaign on v4 with the shipped seeds
// finds a bug and writes its bucket; bad usage exits 2 with one line.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

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

// The bucket on the line after findings.tsv's header.
std::string first_bucket(const std::string& tsv) {
  const size_t start = tsv.find('\n') + 1;
  return tsv.substr(start, tsv.find('\t', start) - start);
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
  EXPECT_NE(o.err.find("execs"), std::string::npos) << o.err;  // progress lines
}

}  // namespace
}  // namespace dcfuzz
