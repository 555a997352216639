#include "fuzz/findings.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>

#include "reports/report.h"
#include "schedules/minimize.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {

// Lives in a MAP_SHARED mapping: only lock-free atomics and plain bytes.
struct CampaignFindings::Shared {
  struct alignas(64) Counter {
    std::atomic<uint64_t> value{0};
  };
  struct Bucket {
    std::atomic<uint64_t> hits{0};
    double first_seconds = 0;
    uint64_t first_executions = 0;
    char title[256] = {};
  };
  int64_t start_ns = 0;              // steady clock, the same in every process of the machine
  std::atomic<int> lock{0};          // guards adding a bucket
  std::atomic<int> bucket_count{0};  // buckets [0, count) are complete
  Counter executions[kMaxJobs];
  Bucket buckets[kMaxBuckets];
};

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class SpinLock {
 public:
  explicit SpinLock(std::atomic<int>& word) : word_(word) {
    while (word_.exchange(1, std::memory_order_acquire)) {
    }
  }
  ~SpinLock() { word_.store(0, std::memory_order_release); }

 private:
  std::atomic<int>& word_;
};

void write_or_warn(const std::string& path, const std::string& data) {
  std::string error;
  if (!write_file_atomic(path, data, &error)) std::fprintf(stderr, "dcfuzz: %s\n", error.c_str());
}

}  // namespace

CampaignFindings::CampaignFindings(std::string out_dir) : out_dir_(std::move(out_dir)) {
  void* memory =
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    std::perror("dcfuzz: mmap");
    std::abort();
  }
  shared_ = new (memory) Shared;
  shared_->start_ns = now_ns();
}

CampaignFindings::~CampaignFindings() { munmap(shared_, sizeof(Shared)); }

std::atomic<uint64_t>* CampaignFindings::executions_of(int job) {
  return &shared_->executions[job % kMaxJobs].value;
}

uint64_t CampaignFindings::executions() const {
  uint64_t total = 0;
  for (const auto& c : shared_->executions) total += c.value.load(std::memory_order_relaxed);
  return total;
}

double CampaignFindings::elapsed_seconds() const {
  return double(now_ns() - shared_->start_ns) / 1e9;
}

std::string CampaignFindings::bucket_dir(const std::string& title) const {
  return out_dir_ + "/" + bucket_name(title);
}

bool CampaignFindings::count(const std::string& title) {
  auto find = [&](int count) -> Shared::Bucket* {
    for (int i = 0; i < count; ++i) {
      if (title == shared_->buckets[i].title) return &shared_->buckets[i];
    }
    return nullptr;
  };
  if (auto* b = find(shared_->bucket_count.load(std::memory_order_acquire))) {
    b->hits.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  SpinLock lock(shared_->lock);
  const int count = shared_->bucket_count.load(std::memory_order_relaxed);
  if (auto* b = find(count)) {  // another worker was first
    b->hits.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (count == kMaxBuckets) return false;
  Shared::Bucket& b = shared_->buckets[count];
  std::snprintf(b.title, sizeof b.title, "%s", title.c_str());
  b.first_seconds = elapsed_seconds();
  b.first_executions = executions();
  b.hits.store(1, std::memory_order_relaxed);
  shared_->bucket_count.store(count + 1, std::memory_order_release);
  return true;
}

void CampaignFindings::record(const pb::Schedule& schedule, const Execution& execution) {
  if (!count(execution.title)) return;
  const std::string dir = bucket_dir(execution.title);
  // Exists already: a worker of an earlier campaign in this OUT wrote it; keep it.
  if (mkdir(dir.c_str(), 0777) != 0) {
    if (errno != EEXIST)
      std::fprintf(stderr, "dcfuzz: mkdir %s: %s\n", dir.c_str(), strerror(errno));
    return;
  }
  write_bucket(dir, schedule, execution);
}

// The minimized schedule is the reproducer; the one the fuzzer found is kept
// beside it. Its traced replay gives the report.
void CampaignFindings::write_bucket(const std::string& dir, const pb::Schedule& schedule,
                                    const Execution& execution) {
  const pb::Schedule found = canonical_schedule(schedule, execution);
  MinimizeResult minimized = minimize(found);
  const pb::Schedule& reproducer =
      minimized.found && minimized.title == execution.title ? minimized.schedule : found;
  RunOptions traced;
  traced.trace = true;
  const Execution replay = run_schedule(reproducer, traced);
  const pb::Schedule canonical = canonical_schedule(reproducer, replay);
  write_or_warn(dir + "/original.textproto", to_text(found));
  write_or_warn(dir + "/schedule.textproto", to_text(canonical));
  write_or_warn(dir + "/schedule.pb", to_binary(canonical));
  write_or_warn(dir + "/" + kSwimlaneFile, format_swimlane_html(canonical, replay));
  write_or_warn(dir + "/" + kReportFile, format_report(canonical, replay));
}

std::vector<BucketStats> CampaignFindings::buckets() const {
  std::vector<BucketStats> out;
  const int count = shared_->bucket_count.load(std::memory_order_acquire);
  for (int i = 0; i < count; ++i) {
    const Shared::Bucket& b = shared_->buckets[i];
    out.push_back(BucketStats{b.title, b.hits.load(std::memory_order_relaxed), b.first_seconds,
                              b.first_executions});
  }
  return out;
}

}  // namespace dcfuzz
