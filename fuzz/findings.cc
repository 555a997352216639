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
    std::atomic<bool> found_written{false};  // OUT/<bucket>/original.textproto is complete
    bool reported = false;                   // the campaign process wrote the rest
    double first_seconds = 0;
    uint64_t first_executions = 0;
    char title[256] = {};
  };
  int64_t start_ns = 0;              // steady clock, the same in every process of the machine
  std::atomic<int> lock{0};          // guards adding a bucket
  std::atomic<int> bucket_count{0};  // buckets [0, count) are complete
  std::atomic<bool> stop{false};     // the campaign is ending: workers exit between executions
  Counter executions[kMaxJobs];
  Bucket buckets[kMaxBuckets];
};

namespace {

constexpr const char* kFoundFile = "original.textproto";

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

void CampaignFindings::request_stop() { shared_->stop.store(true); }

const std::atomic<bool>* CampaignFindings::stop_flag() const { return &shared_->stop; }

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

int CampaignFindings::count(const std::string& title) {
  auto find = [&](int count) -> Shared::Bucket* {
    for (int i = 0; i < count; ++i) {
      if (title == shared_->buckets[i].title) return &shared_->buckets[i];
    }
    return nullptr;
  };
  if (auto* b = find(shared_->bucket_count.load(std::memory_order_acquire))) {
    b->hits.fetch_add(1, std::memory_order_relaxed);
    return -1;
  }
  SpinLock lock(shared_->lock);
  const int count = shared_->bucket_count.load(std::memory_order_relaxed);
  if (auto* b = find(count)) {  // another worker was first
    b->hits.fetch_add(1, std::memory_order_relaxed);
    return -1;
  }
  if (count == kMaxBuckets) return -1;
  Shared::Bucket& b = shared_->buckets[count];
  std::snprintf(b.title, sizeof b.title, "%s", title.c_str());
  b.first_seconds = elapsed_seconds();
  b.first_executions = executions();
  b.hits.store(1, std::memory_order_relaxed);
  shared_->bucket_count.store(count + 1, std::memory_order_release);
  return count;
}

// In the worker, only what is quick: the schedule as found. The campaign
// process minimizes it and writes the report (write_reports), so the worker
// goes on fuzzing at once.
void CampaignFindings::record(const pb::Schedule& schedule, const Execution& execution) {
  const int index = count(execution.title);
  if (index < 0) return;
  const std::string dir = bucket_dir(execution.title);
  // Exists already: a campaign before this one in the same OUT found it; keep
  // its files unless that campaign was stopped before writing the report.
  if (mkdir(dir.c_str(), 0777) != 0) {
    struct stat report;
    if (errno != EEXIST) {
      std::fprintf(stderr, "dcfuzz: mkdir %s: %s\n", dir.c_str(), strerror(errno));
      return;
    }
    if (stat((dir + "/" + kReportFile).c_str(), &report) == 0) return;
  }
  write_or_warn(dir + "/" + kFoundFile, to_text(canonical_schedule(schedule, execution)));
  shared_->buckets[index].found_written.store(true, std::memory_order_release);
}

// The minimized schedule is the reproducer; the one the fuzzer found stays
// beside it. Its traced replay gives the report.
void CampaignFindings::write_reports() {
  const int count = shared_->bucket_count.load(std::memory_order_acquire);
  for (int i = 0; i < count; ++i) {
    Shared::Bucket& b = shared_->buckets[i];
    if (b.reported || !b.found_written.load(std::memory_order_acquire)) continue;
    b.reported = true;
    const std::string dir = bucket_dir(b.title);
    pb::Schedule found;
    std::string error;
    if (!load_schedule(dir + "/" + kFoundFile, &found, &error)) {
      std::fprintf(stderr, "dcfuzz: %s\n", error.c_str());
      continue;
    }
    MinimizeResult minimized = minimize(found);
    const pb::Schedule& reproducer =
        minimized.found && minimized.title == b.title ? minimized.schedule : found;
    RunOptions traced;
    traced.trace = true;
    const Execution replay = run_schedule(reproducer, traced);
    if (!replay.found || replay.title != b.title) {
      // Executions are deterministic; a finding that does not replay is a
      // bug of dcfuzz itself, and its report must not pass for a good one.
      std::fprintf(stderr, "dcfuzz: internal error: the schedule of '%s' replays to '%s'; see %s/\n",
                   b.title, replay.found ? replay.title.c_str() : "no finding", dir.c_str());
    }
    const pb::Schedule canonical = canonical_schedule(reproducer, replay);
    write_or_warn(dir + "/schedule.textproto", to_text(canonical));
    write_or_warn(dir + "/schedule.pb", to_binary(canonical));
    write_or_warn(dir + "/" + kSwimlaneFile, format_swimlane_html(canonical, replay));
    write_or_warn(dir + "/" + kReportFile, format_report(canonical, replay));
  }
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
