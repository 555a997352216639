// Executions per second, shared by the benchmarks (fuzz_throughput,
// time_to_bug): Relacy's own random scheduler against the fuzz target on the
// same scenarios, in this process.
#pragma once

#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include "core/model.h"
#include "fuzz/mutator.h"
#include "fuzz/target.h"
#include "schedules/engine.h"
#include "schedules/normalize.h"
#include "schedules/random_scenario.h"
#include "schedules/schedule_io.h"

namespace dcfuzz::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The schedules (text or binary) in `dir`, at most `limit`, in name order,
// with the kernel set to v4.
inline std::vector<pb::Schedule> load_schedules(const std::string& dir, size_t limit) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  std::vector<pb::Schedule> schedules;
  for (const auto& name : names) {
    pb::Schedule s;
    std::string error;
    if (schedules.size() < limit && load_schedule(dir + "/" + name, &s, &error)) {
      s.mutable_scenario()->set_kernel(pb::V4);
      schedules.push_back(s);
    }
  }
  return schedules;
}

// The first `count` scenarios of random_schedule, with the kernel set to v4.
inline std::vector<pb::Schedule> random_schedules(size_t count) {
  std::vector<pb::Schedule> schedules(count);
  for (size_t i = 0; i < count; ++i) {
    random_schedule(uint64_t(i), &schedules[i]);
    schedules[i].mutable_scenario()->set_kernel(pb::V4);
  }
  return schedules;
}

// This process's CPU time (user and system), in seconds.
inline double cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

// run_program_relacy_random on each schedule's program in turn, for `budget`
// seconds. Returns executions per second; *per_cpu_second, if given, gets
// executions per second of this process's CPU time.
inline double relacy_random_rate(const std::vector<pb::Schedule>& schedules, double budget,
                                 double* per_cpu_second = nullptr) {
  uint64_t executions = 0;
  const auto start = Clock::now();
  const double cpu_start = cpu_seconds();
  for (size_t i = 0; seconds_since(start) < budget; ++i) {
    const auto& schedule = schedules[i % schedules.size()];
    auto program = make_dcache_program(to_scenario(schedule.scenario()));
    executions += run_program_relacy_random(*program, 1000);
  }
  if (per_cpu_second) *per_cpu_second = double(executions) / (cpu_seconds() - cpu_start);
  return double(executions) / seconds_since(start);
}

// A deterministic stand-in for libFuzzer's byte mutator.
inline size_t flip_scalar(uint8_t* data, size_t size, size_t) {
  static uint32_t n = 0;
  ++n;
  if (size) data[n % size] ^= uint8_t(1u << (n % 8));
  return size;
}

// What a campaign worker does per input, minus libFuzzer itself -- parse,
// normalise, build the program, run it with interleaving coverage -- on each
// input as it is (mutations == false) or after one mutation.
inline double target_rate(const std::vector<pb::Schedule>& inputs, double budget, bool mutations) {
  set_target(TargetOptions{});
  std::vector<std::string> bytes;
  for (const auto& input : inputs) bytes.push_back(input.SerializeAsString());
  uint64_t executions = 0;
  std::vector<uint8_t> buffer(4096);
  const auto start = Clock::now();
  while (seconds_since(start) < budget) {
    for (size_t i = 0; i < bytes.size() && seconds_since(start) < budget; ++i) {
      const std::string& b = bytes[i];
      std::copy(b.begin(), b.end(), buffer.begin());
      size_t size = b.size();
      if (mutations) {
        size = mutate_bytes(buffer.data(), size, buffer.size(), uint32_t(executions), 200,
                            flip_scalar);
      }
      run_target_input(buffer.data(), size);
      ++executions;
    }
  }
  return double(executions) / seconds_since(start);
}

}  // namespace dcfuzz::bench
