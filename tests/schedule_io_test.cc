// Reading schedule files: the size cap, files that are not files, the note
// about what normalisation capped.
#include "schedules/schedule_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

using testing::write_temp;

TEST(ReadFile, StopsAtTheLimit) {
  const std::string path = write_temp("io_limit.bin", std::string(1000, 'x'));
  std::string bytes, error;
  EXPECT_TRUE(read_file(path, &bytes, &error, 1000)) << error;
  EXPECT_EQ(bytes.size(), 1000u);
  EXPECT_FALSE(read_file(path, &bytes, &error, 999));
  EXPECT_NE(error.find("io_limit.bin is larger than 999 bytes"), std::string::npos) << error;
}

TEST(ReadFile, EndlessDeviceIsRefusedAtTheLimit) {
  std::string bytes, error;
  EXPECT_FALSE(read_file("/dev/zero", &bytes, &error, 4096));
  EXPECT_NE(error.find("/dev/zero is larger than 4096 bytes"), std::string::npos) << error;
  EXPECT_TRUE(bytes.empty());
}

TEST(ReadFile, DirectoryIsAnError) {
  std::string bytes, error;
  EXPECT_FALSE(read_file(::testing::TempDir(), &bytes, &error));
  EXPECT_NE(error.find("is a directory"), std::string::npos) << error;
}

TEST(ReadFile, FifoWithoutWriterReadsEmpty) {
  const std::string path = ::testing::TempDir() + std::to_string(getpid()) + "_io_fifo";
  unlink(path.c_str());
  ASSERT_EQ(mkfifo(path.c_str(), 0666), 0);
  std::string bytes = "old", error;
  EXPECT_TRUE(read_file(path, &bytes, &error)) << error;
  EXPECT_EQ(bytes, "");
  unlink(path.c_str());
}

TEST(LoadSchedule, LimitIsOneMebibyte) {
  std::string text = "# padding\n";
  text += std::string(kMaxScheduleFileBytes - text.size(), '\n');
  pb::Schedule s;
  std::string error;
  EXPECT_TRUE(load_schedule(write_temp("io_1mib.textproto", text), &s, &error)) << error;
  EXPECT_FALSE(load_schedule(write_temp("io_1mib_plus.textproto", text + "\n"), &s, &error));
  EXPECT_NE(error.find("io_1mib_plus.textproto is larger than 1 MiB"), std::string::npos) << error;
}

TEST(LoadSchedule, EmptyFileIsAnError) {
  pb::Schedule s;
  std::string error;
  EXPECT_FALSE(load_schedule(write_temp("io_empty.pb", ""), &s, &error));
  EXPECT_NE(error.find("io_empty.pb: empty file"), std::string::npos) << error;
}

TEST(LoadSchedule, NoteSaysWhatWasCapped) {
  pb::Schedule big;
  for (int i = 0; i < 7; ++i) big.mutable_scenario()->add_threads();
  pb::Schedule s;
  std::string error, note = "old";
  ASSERT_TRUE(load_schedule(write_temp("io_caps.pb", big.SerializeAsString()), &s, &error, &note));
  EXPECT_EQ(note.substr(note.find("io_caps.pb")), "io_caps.pb: 7 threads, capped to 4");
  EXPECT_EQ(s.scenario().threads_size(), 4);

  big.mutable_scenario()->mutable_threads()->DeleteSubrange(1, 6);
  ASSERT_TRUE(
      load_schedule(write_temp("io_nocaps.pb", big.SerializeAsString()), &s, &error, &note));
  EXPECT_EQ(note, "");
}

TEST(WriteFileAtomic, FailedRenameLeavesNoTemporary) {
  const std::string dir = ::testing::TempDir() + std::to_string(getpid()) + "_io_target_dir";
  mkdir(dir.c_str(), 0777);
  std::string error;
  EXPECT_FALSE(write_file_atomic(dir, "x", &error));
  struct stat st;
  EXPECT_NE(stat((dir + ".tmp").c_str(), &st), 0);
}

}  // namespace
}  // namespace dcfuzz
