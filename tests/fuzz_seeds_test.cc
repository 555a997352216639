// The shipped seeds (corpus/seeds/): one per model filesystem, and none of
// them shows a bug by itself on v4 -- the fuzzer has to find the bugs.
#include <dirent.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "schedules/run.h"
#include "schedules/schedule_io.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

std::vector<std::string> seed_files() {
  const std::string dir = testing::source_path("corpus/seeds");
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') files.push_back(dir + "/" + e->d_name);
    }
    closedir(d);
  }
  return files;
}

TEST(FuzzSeeds, OnePerFilesystemInTextFormat) {
  std::set<int> filesystems;
  for (const auto& file : seed_files()) {
    EXPECT_NE(file.find(".textproto"), std::string::npos) << file;
    pb::Schedule schedule;
    std::string error;
    ASSERT_TRUE(load_schedule(file, &schedule, &error)) << file << ": " << error;
    filesystems.insert(schedule.scenario().fs());
    EXPECT_GE(schedule.scenario().threads_size(), 2) << file;
  }
  EXPECT_EQ(filesystems, (std::set<int>{pb::PLAIN, pb::NFS, pb::CASE_INSENSITIVE}));
}

TEST(FuzzSeeds, EachSeedIsCleanOnV4) {
  ASSERT_FALSE(seed_files().empty());
  for (const auto& file : seed_files()) {
    pb::Schedule schedule;
    std::string error;
    ASSERT_TRUE(load_schedule(file, &schedule, &error)) << error;
    schedule.mutable_scenario()->set_kernel(pb::V4);
    Execution execution = run_schedule(schedule);
    EXPECT_FALSE(execution.found) << file << ": " << execution.title;
  }
}

}  // namespace
}  // namespace dcfuzz
