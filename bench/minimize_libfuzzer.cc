// The baseline for bench/minimize.sh: a libFuzzer target that crashes on any
// finding, so that libFuzzer's own -minimize_crash=1 can shrink a
// reproducer (by bytes, with its generic mutations, any crash accepted).
//
//   minimize_libfuzzer -minimize_crash=1 -runs=N -exact_artifact_path=OUT IN.pb
//   minimize_libfuzzer --stats FILE     title and size of a schedule, as dcfuzz minimize counts
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "schedules/minimize.h"
#include "schedules/normalize.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"

extern "C" int LLVMFuzzerRunDriver(int* argc, char*** argv,
                                   int (*callback)(const uint8_t* data, size_t size));

namespace {

int crash_on_finding(const uint8_t* data, size_t size) {
  dcfuzz::pb::Schedule schedule;
  std::string error;
  if (!dcfuzz::parse_schedule(std::string(reinterpret_cast<const char*>(data), size), &schedule,
                              &error)) {
    return -1;
  }
  dcfuzz::normalize(&schedule);
  dcfuzz::Execution execution = dcfuzz::run_schedule(schedule);
  if (execution.found) {
    std::fprintf(stderr, "dcfuzz finding: %s\n", execution.title.c_str());
    std::abort();
  }
  return 0;
}

int print_stats(const char* path) {
  dcfuzz::pb::Schedule schedule;
  std::string error;
  if (!dcfuzz::load_schedule(path, &schedule, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 2;
  }
  dcfuzz::Execution execution = dcfuzz::run_schedule(schedule);
  std::printf("%s | %s | %zu bytes\n", execution.found ? execution.title.c_str() : "no finding",
              dcfuzz::format_stats(dcfuzz::schedule_stats(schedule, execution.steps)).c_str(),
              schedule.ByteSizeLong());
  return execution.found ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--stats") == 0) return print_stats(argv[2]);
  return LLVMFuzzerRunDriver(&argc, &argv, crash_on_finding);
}
