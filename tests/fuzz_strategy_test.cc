// dcfuzz fuzz --strategy random-walk|pct|pos, end to end: each strategy as a
// short campaign finds a v4 bug and writes buckets whose schedules replay to
// their titles; on mainline it finds nothing; the same --seed and
// --max-executions give the same campaign; bad usage exits 2 with one line.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

using testing::expect_bad;
using testing::run_dcfuzz;
using testing::slurp;

const char* const kStrategies[] = {"random-walk", "pct", "pos"};

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// findings.tsv's rows (without the header).
std::vector<std::string> rows_of(const std::string& tsv) {
  std::vector<std::string> rows;
  std::istringstream lines(tsv);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) rows.push_back(line);
  return rows;
}

std::string fresh_out(const std::string& name) {
  const std::string out = ::testing::TempDir() + "dcfuzz_strategy_" + name;
  std::filesystem::remove_all(out);
  return out;
}

// The buckets' columns that do not depend on time: bucket, executions to the
// first finding, hits, title.
std::string without_seconds(const std::string& tsv) {
  std::string kept;
  for (const auto& row : rows_of(tsv)) {
    std::vector<std::string> cells;
    std::istringstream in(row);
    for (std::string cell; std::getline(in, cell, '\t');) cells.push_back(cell);
    if (cells.size() != 5) return "malformed: " + row;
    kept += cells[0] + "\t" + cells[2] + "\t" + cells[3] + "\t" + cells[4] + "\n";
  }
  return kept;
}

TEST(FuzzStrategy, EachStrategyFindsAV4BugThatReplays) {
  for (const char* strategy : kStrategies) {
    SCOPED_TRACE(strategy);
    const std::string out = fresh_out(std::string("v4_") + strategy);
    auto o = run_dcfuzz(std::string("fuzz --strategy ") + strategy +
                        " --seed 1 --max-executions 3000 --out " + out);
    ASSERT_EQ(o.exit_code, 1) << o.out << o.err;
    EXPECT_NE(o.out.find(std::string("campaign on v4 with ") + strategy + ": "), std::string::npos)
        << o.out;
    EXPECT_NE(o.out.find("3000 executions"), std::string::npos) << o.out;
    const auto rows = rows_of(slurp(out + "/findings.tsv"));
    ASSERT_FALSE(rows.empty());
    for (const auto& row : rows) {
      const std::string bucket = row.substr(0, row.find('\t'));
      const std::string title = row.substr(row.rfind('\t') + 1);
      const std::string dir = out + "/" + bucket;
      const std::string report = slurp(dir + "/report.txt");
      EXPECT_EQ(first_line(report).find("dcfuzz engine error"), std::string::npos) << report;
      for (const char* file : {"schedule.textproto", "original.textproto"}) {
        auto replay = run_dcfuzz("replay " + dir + "/" + file);
        EXPECT_EQ(replay.exit_code, 1) << dir << "/" << file;
        EXPECT_EQ(first_line(replay.out), first_line(report)) << dir << "/" << file;
        EXPECT_NE(first_line(replay.out).find(title), std::string::npos) << replay.out;
      }
      EXPECT_NE(o.err.find("new bucket: " + title + " (after "), std::string::npos) << o.err;
    }
  }
}

TEST(FuzzStrategy, MainlineFindsNothing) {
  for (const char* strategy : kStrategies) {
    SCOPED_TRACE(strategy);
    const std::string out = fresh_out(std::string("mainline_") + strategy);
    auto o = run_dcfuzz(std::string("fuzz --strategy ") + strategy +
                        " --kernel mainline --seed 2 --max-executions 3000 --out " + out);
    EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
    EXPECT_NE(o.out.find("no findings"), std::string::npos) << o.out;
    EXPECT_EQ(rows_of(slurp(out + "/findings.tsv")).size(), 0u);
  }
}

// Same seed and execution limit, same campaign: the same buckets, found after
// the same executions, with the same hits; with two jobs as with one.
TEST(FuzzStrategy, ASeededCampaignIsDeterministic) {
  for (const char* jobs : {"1", "2"}) {
    SCOPED_TRACE(jobs);
    std::string tables[2];
    for (int run = 0; run < 2; ++run) {
      const std::string out = fresh_out(std::string("determinism_") + jobs + std::to_string(run));
      auto o =
          run_dcfuzz(std::string("fuzz --strategy pct --seed 7 --max-executions 1500 --jobs ") +
                     jobs + " --out " + out);
      ASSERT_EQ(o.exit_code, 1) << o.out << o.err;
      tables[run] = without_seconds(slurp(out + "/findings.tsv"));
    }
    EXPECT_FALSE(tables[0].empty());
    // With two jobs the executions before a first finding depend on how the
    // workers interleave; the buckets and their hits do not.
    if (std::string(jobs) == "1") {
      EXPECT_EQ(tables[0], tables[1]);
    } else {
      auto stable = [](const std::string& table) {
        std::string kept;
        std::istringstream in(table);
        for (std::string line; std::getline(in, line);) {
          std::vector<std::string> cells;
          std::istringstream row(line);
          for (std::string cell; std::getline(row, cell, '\t');) cells.push_back(cell);
          kept += cells[0] + "\t" + cells[2] + "\n";
        }
        return kept;
      };
      auto sorted = [](std::string table) {
        std::vector<std::string> lines;
        std::istringstream in(table);
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        std::sort(lines.begin(), lines.end());
        std::string out;
        for (const auto& l : lines) out += l + "\n";
        return out;
      };
      EXPECT_EQ(sorted(stable(tables[0])), sorted(stable(tables[1])));
    }
  }
}

// --keep-scenario: the strategy runs the corpus's scenarios (here the shipped
// seeds') in turn, not random ones.
TEST(FuzzStrategy, KeepScenarioRunsTheCorpusScenarios) {
  const std::string out = fresh_out("keep");
  auto o = run_dcfuzz(
      "fuzz --strategy random-walk --keep-scenario --kernel mainline --seed 3 "
      "--max-executions 500 --out " +
      out);
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find(" scenarios\n"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("random scenarios"), std::string::npos) << o.out;
}

// --stop-on-finding: the campaign ends at its first bucket, long before its
// time or execution limit (v4's bugs take tens of executions); without it,
// on mainline, it runs to the limit.
TEST(FuzzStrategy, StopOnFindingEndsAtTheFirstBucket) {
  for (const char* strategy : {"fuzz", "random-walk"}) {
    SCOPED_TRACE(strategy);
    const std::string out = fresh_out(std::string("stop_") + strategy);
    auto o =
        run_dcfuzz(std::string("fuzz --strategy ") + strategy +
                   " --seed 4 --stop-on-finding --time 600 --max-executions 50000000 --out " + out);
    ASSERT_EQ(o.exit_code, 1) << o.out << o.err;
    const auto rows = rows_of(slurp(out + "/findings.tsv"));
    ASSERT_FALSE(rows.empty());
    const size_t executions_at = o.out.find(" executions (");
    ASSERT_NE(executions_at, std::string::npos) << o.out;
    const size_t comma = o.out.rfind(", ", executions_at);
    const long executions = std::stol(o.out.substr(comma + 2, executions_at - comma - 2));
    EXPECT_LT(executions, 1000000) << o.out;
  }
  const std::string out = fresh_out("stop_mainline");
  auto o = run_dcfuzz(
      "fuzz --strategy pct --kernel mainline --seed 4 --stop-on-finding --max-executions 2000 "
      "--out " +
      out);
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("2000 executions"), std::string::npos) << o.out;
}

TEST(FuzzStrategy, BadUsageExits2) {
  const std::string out = " --out " + ::testing::TempDir() + "dcfuzz_strategy_bad";
  expect_bad("fuzz --strategy bogus" + out, "unknown --strategy 'bogus'");
  expect_bad("fuzz --strategy pct --time 1" + out + " " + ::testing::TempDir(),
             "to run CORPUS's scenarios give --keep-scenario");
  expect_bad("fuzz --strategy pos --no-interleaving-coverage" + out,
             "--no-interleaving-coverage applies to --strategy fuzz only");
  expect_bad("fuzz --max-executions 0" + out, "--max-executions wants an integer in 1..");
}

}  // namespace
}  // namespace dcfuzz
