// A campaign's findings: the determinism self-check before a report, and
// the reports a campaign killed outright leaves for the next one to write.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>

#include "fuzz/findings.h"
#include "fuzz/isolated.h"
#include "reports/report.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

using testing::slurp;

pb::Schedule regression(const std::string& name) {
  pb::Schedule s;
  std::string error;
  EXPECT_TRUE(
      load_schedule(testing::source_path("corpus/regressions/" + name + ".textproto"), &s, &error))
      << error;
  return s;
}

// An empty OUT with its work directory, as run_campaign makes it.
std::string fresh_out(const std::string& name) {
  const std::string out = ::testing::TempDir() + name + "_" + std::to_string(getpid());
  std::filesystem::remove_all(out);
  std::filesystem::create_directories(out + "/work");
  return out;
}

// Minimizing runs in a child (run_isolated): what it returns comes back;
// a crash in it is told, and the caller goes on.
TEST(FindingsIsolation, AChildsResultComesBackAndItsCrashIsTold) {
  IsolatedResult good = run_isolated([] { return std::string("schedule\0text", 13); });
  EXPECT_TRUE(good.ok) << good.how;
  EXPECT_EQ(good.output, std::string("schedule\0text", 13));
  IsolatedResult crashed = run_isolated([]() -> std::string {
    std::raise(SIGSEGV);
    return "not reached";
  });
  EXPECT_FALSE(crashed.ok);
  EXPECT_EQ(crashed.output, "");
  EXPECT_EQ(crashed.how.rfind("killed by signal 11", 0), 0u) << crashed.how;
  IsolatedResult exited = run_isolated([]() -> std::string { _exit(7); });
  EXPECT_FALSE(exited.ok);
  EXPECT_EQ(exited.how, "exited with status 7");
}

TEST(FindingsSelfCheck, AFindingThatReplaysGetsItsReport) {
  const std::string out = fresh_out("dcfuzz_findings_good");
  CampaignFindings findings(out);
  const pb::Schedule schedule = regression("wrong-waiter-alias-splice");
  const Execution found = run_schedule(schedule);
  ASSERT_TRUE(found.found);
  findings.record(schedule, found);
  findings.write_reports();
  const std::string dir = findings.bucket_dir(found.title);
  EXPECT_EQ(slurp(dir + "/report.txt").rfind(found.title, 0), 0u);
  EXPECT_EQ(slurp(dir + "/mail.txt").rfind("Subject: [dcfuzz] " + found.title, 0), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir + "/engine-error.txt"));
  ASSERT_EQ(findings.buckets().size(), 1u);
}

// A worker that saw an outcome the schedule does not give (what a
// nondeterministic engine would do): an engine error with both traces.
TEST(FindingsSelfCheck, AFindingThatDoesNotReplayIsAnEngineError) {
  const std::string out = fresh_out("dcfuzz_findings_bad");
  CampaignFindings findings(out);
  const pb::Schedule schedule = regression("wrong-waiter-alias-splice");
  Execution claimed = run_schedule(schedule);
  claimed.title = "BUG: a title this schedule never gives";
  findings.record(schedule, claimed);
  findings.write_reports();
  const std::string dir = findings.bucket_dir(claimed.title);
  const std::string error = slurp(dir + "/engine-error.txt");
  EXPECT_NE(error.find("dcfuzz engine error"), std::string::npos) << error;
  EXPECT_NE(error.find("replayed at once in the worker"), std::string::npos);
  EXPECT_NE(error.find("replayed in the campaign process"), std::string::npos);
  // Both traces: the event table appears twice.
  const std::string table_head = "interleaving:";
  const size_t first = error.find(table_head);
  ASSERT_NE(first, std::string::npos) << error;
  EXPECT_NE(error.find(table_head, first + 1), std::string::npos) << error;
  EXPECT_EQ(slurp(dir + "/report.txt"), error);  // never a report that passes for a good one
  EXPECT_FALSE(std::filesystem::exists(dir + "/schedule.textproto"));
}

TEST(FindingsResume, ReportsAKilledCampaignLeftUnwrittenAreFinished) {
  const std::string out = fresh_out("dcfuzz_findings_resume");
  const pb::Schedule schedule = regression("add-ci-not-in-lookup");
  const Execution found = run_schedule(schedule);
  ASSERT_TRUE(found.found);
  const std::string dir = out + "/" + bucket_name(found.title);
  std::filesystem::create_directories(dir);
  std::string error;
  ASSERT_TRUE(write_file_atomic(dir + "/original.textproto", to_text(schedule), &error));
  std::filesystem::create_directories(out + "/not-a-bucket");
  EXPECT_EQ(finish_earlier_reports(out), 1);
  EXPECT_EQ(slurp(dir + "/report.txt").rfind(found.title, 0), 0u);
  EXPECT_TRUE(std::filesystem::exists(dir + "/schedule.pb"));
  EXPECT_EQ(finish_earlier_reports(out), 0);  // nothing left to do
}

}  // namespace
}  // namespace dcfuzz
