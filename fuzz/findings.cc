#include "fuzz/findings.h"

#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

#include "fuzz/isolated.h"
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
    // OUT/<bucket>/original.textproto is complete (or an earlier campaign's
    // report is there): the bucket is announced from then on, never before,
    // so that a campaign killed outright loses no bucket it announced.
    std::atomic<bool> found_written{false};
    std::atomic<bool> earlier_report{false};  // OUT/<bucket>/report.txt was there already
    std::atomic<bool> worker_agrees{false};   // the worker's own replay ended in the title
    std::atomic<bool> save_failed{false};     // a write of the bucket failed: see save_error
    bool reported = false;                    // the campaign process wrote the rest
    double first_seconds = 0;
    uint64_t first_executions = 0;
    char title[256] = {};
    char save_error[256] = {};
    uint32_t found_size = 0;  // the found schedule, binary (0: it did not fit)
    char found[kMaxFoundBytes];
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
constexpr const char* kEngineErrorFile = "engine-error.txt";

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

bool write_or_warn(const std::string& path, const std::string& data) {
  std::string error;
  if (write_file_atomic(path, data, &error)) return true;
  std::fprintf(stderr, "dcfuzz: %s\n", error.c_str());
  return false;
}

// Like write_or_warn; the first failure is kept in *error.
void write_or_note(const std::string& path, const std::string& data, std::string* error) {
  std::string why;
  if (write_file_atomic(path, data, &why)) return;
  std::fprintf(stderr, "dcfuzz: %s\n", why.c_str());
  if (error->empty()) *error = why;
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
  Shared::Bucket& b = shared_->buckets[index];
  const std::string dir = bucket_dir(execution.title);
  const pb::Schedule found = canonical_schedule(schedule, execution);
  const std::string binary = to_binary(found);
  if (binary.size() <= sizeof b.found) {
    std::memcpy(b.found, binary.data(), binary.size());
    b.found_size = uint32_t(binary.size());
  }
  auto failed = [&](const std::string& why) {
    std::fprintf(stderr, "dcfuzz: %s\n", why.c_str());
    std::snprintf(b.save_error, sizeof b.save_error, "%s", why.c_str());
    b.save_failed.store(true, std::memory_order_relaxed);
    b.found_written.store(true, std::memory_order_release);  // announced: it is in memory
  };
  // Exists already: a campaign before this one in the same OUT found it; keep
  // its files unless that campaign was stopped before writing the report.
  if (mkdir(dir.c_str(), 0777) != 0) {
    struct stat report;
    if (errno != EEXIST) return failed("mkdir " + dir + ": " + strerror(errno));
    if (stat((dir + "/" + kReportFile).c_str(), &report) == 0) {
      b.earlier_report.store(true, std::memory_order_relaxed);
      b.found_written.store(true, std::memory_order_release);
      return;
    }
  }
  // Determinism self-check, first half: this process runs the schedule
  // again at once, traced; the campaign process compares (write_reports).
  const Execution again = run_schedule_traced(found);
  write_or_warn(worker_report_path(execution.title), format_report(found, again));
  b.worker_agrees.store(again.found && again.title == execution.title, std::memory_order_relaxed);
  std::string error;
  if (!write_file_atomic(dir + "/" + kFoundFile, to_text(found), &error)) return failed(error);
  b.found_written.store(true, std::memory_order_release);
}

std::string CampaignFindings::worker_report_path(const std::string& title) const {
  return out_dir_ + "/work/" + bucket_name(title) + ".worker-report.txt";
}

// Determinism self-check, second half: the schedule as found, replayed in
// this process, must end in the bucket's title, as it did in the worker's
// own replay. If not, the bucket gets an engine error with both traces
// instead of a report that would pass for a good one.
bool CampaignFindings::check_replays(const char* title, const std::string& dir,
                                     const pb::Schedule& found, bool worker_agrees) {
  const Execution replay = run_schedule_traced(found);
  if (worker_agrees && replay.found && replay.title == title) return true;
  std::string worker_report, error;
  read_file(worker_report_path(title), &worker_report, &error);
  std::string text = std::string("dcfuzz engine error: an execution ended in '") + title +
                     "' but its schedule does not replay to it.\n"
                     "This is a bug of dcfuzz, not of the kernel model; please report it with "
                     "this file and original.textproto.\n\n"
                     "==== replayed at once in the worker that found it ====\n" +
                     worker_report + "\n==== replayed in the campaign process ====\n" +
                     format_report(found, replay);
  write_or_warn(dir + "/" + kEngineErrorFile, text);
  write_or_warn(dir + "/" + kReportFile, text);
  std::fprintf(stderr, "dcfuzz: engine error: '%s' does not replay; see %s/%s\n", title,
               dir.c_str(), kEngineErrorFile);
  return false;
}

// The minimized schedule is the reproducer; the one the fuzzer found stays
// beside it. Its traced replay gives the report.
void CampaignFindings::write_reports() {
  const int count = shared_->bucket_count.load(std::memory_order_acquire);
  for (int i = 0; i < count; ++i) {
    Shared::Bucket& b = shared_->buckets[i];
    if (b.reported || !b.found_written.load(std::memory_order_acquire)) continue;
    b.reported = true;
    if (b.earlier_report.load(std::memory_order_relaxed)) continue;
    const std::string dir = bucket_dir(b.title);
    pb::Schedule found;
    std::string error;
    // From the shared memory; from the file when it did not fit there.
    const bool parsed = b.found_size > 0
                            ? parse_schedule(std::string(b.found, b.found_size), &found, &error)
                            : load_schedule(dir + "/" + kFoundFile, &found, &error);
    if (!parsed) {
      std::fprintf(stderr, "dcfuzz: %s\n", error.c_str());
      continue;
    }
    if (!b.save_failed.load(std::memory_order_relaxed) &&
        !check_replays(b.title, dir, found, b.worker_agrees.load(std::memory_order_relaxed)))
      continue;
    const pb::Schedule minimized =
        write_bucket_report_isolated(b.save_failed.load() ? "" : dir, found, b.title, &error);
    if (b.save_failed.load(std::memory_order_relaxed) || !error.empty()) {
      if (!b.save_failed.load(std::memory_order_relaxed)) {
        std::snprintf(b.save_error, sizeof b.save_error, "%s", error.c_str());
        b.save_failed.store(true, std::memory_order_relaxed);
      }
      if (unsaved_schedule_.size() <= size_t(i)) unsaved_schedule_.resize(size_t(i) + 1);
      unsaved_schedule_[size_t(i)] = to_text(minimized);
    }
  }
}

pb::Schedule write_bucket_report(const std::string& dir, const pb::Schedule& found,
                                 const std::string& title, std::string* error) {
  error->clear();
  MinimizeResult minimized = minimize(found);
  const pb::Schedule& reproducer =
      minimized.found && minimized.title == title ? minimized.schedule : found;
  const Execution replay = run_schedule_traced(reproducer);
  const pb::Schedule canonical = canonical_schedule(reproducer, replay);
  if (dir.empty()) return canonical;  // nowhere to write it
  // The report last: a bucket with report.txt is complete (finish_earlier_reports).
  write_or_note(dir + "/schedule.textproto", to_text(canonical), error);
  write_or_note(dir + "/schedule.pb", to_binary(canonical), error);
  write_or_note(dir + "/" + kSwimlaneFile, format_swimlane_html(canonical, replay), error);
  write_or_note(dir + "/" + kMailFile, format_mail(canonical, replay), error);
  if (error->empty())
    write_or_note(dir + "/" + kReportFile, format_report(canonical, replay), error);
  return canonical;
}

pb::Schedule write_bucket_report_isolated(const std::string& dir, const pb::Schedule& found,
                                          const std::string& title, std::string* error) {
  const IsolatedResult child = run_isolated([&] {
    std::string child_error;
    const pb::Schedule minimized = write_bucket_report(dir, found, title, &child_error);
    return child_error + '\0' + to_text(minimized);
  });
  error->clear();
  const size_t end = child.output.find('\0');
  pb::Schedule minimized;
  std::string parse_error;
  if (child.ok && end != std::string::npos &&
      parse_schedule(child.output.substr(end + 1), &minimized, &parse_error)) {
    *error = child.output.substr(0, end);
    return minimized;
  }
  // The model crashed on a variant of the schedule (the schedule as found
  // replayed in the worker and here): a dcfuzz bug, or a mutant's.
  const std::string why = child.ok ? "it returned no schedule" : child.how;
  const std::string text =
      "dcfuzz engine error: minimizing this finding ('" + title + "') stopped: " + why +
      ".\nThis is a bug of dcfuzz, not of the kernel model; please report it with " + kFoundFile +
      ", the schedule as found, which replays to the finding.\n";
  std::fprintf(stderr, "dcfuzz: engine error: minimizing '%s' stopped: %s\n", title.c_str(),
               why.c_str());
  if (!dir.empty()) {
    write_or_warn(dir + "/" + kEngineErrorFile, text);
    write_or_note(dir + "/" + kReportFile, text, error);
  }
  return found;
}

int finish_earlier_reports(const std::string& out_dir) {
  int finished = 0;
  DIR* d = opendir(out_dir.c_str());
  if (!d) return 0;
  std::vector<std::string> dirs;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') dirs.push_back(out_dir + "/" + e->d_name);
  }
  closedir(d);
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    struct stat st;
    pb::Schedule found;
    std::string error;
    if (stat((dir + "/" + kReportFile).c_str(), &st) == 0 ||
        !load_schedule(dir + "/" + kFoundFile, &found, &error)) {
      continue;  // reported already, or not a bucket
    }
    const Execution replay = run_schedule(found);
    if (!replay.found) {
      std::fprintf(stderr, "dcfuzz: engine error: %s/%s does not replay to a finding\n",
                   dir.c_str(), kFoundFile);
      continue;
    }
    write_bucket_report_isolated(dir, found, replay.title, &error);
    if (!error.empty()) continue;  // said on stderr; the next campaign tries again
    std::fprintf(stderr, "dcfuzz: finished the report an earlier campaign left: %s/%s\n",
                 dir.c_str(), kReportFile);
    ++finished;
  }
  return finished;
}

std::vector<BucketStats> CampaignFindings::buckets() const {
  std::vector<BucketStats> out;
  const int count = shared_->bucket_count.load(std::memory_order_acquire);
  for (int i = 0; i < count; ++i) {
    const Shared::Bucket& b = shared_->buckets[i];
    if (!b.found_written.load(std::memory_order_acquire)) continue;  // not announced yet
    BucketStats stats;
    stats.title = b.title;
    stats.hits = b.hits.load(std::memory_order_relaxed);
    stats.first_seconds = b.first_seconds;
    stats.first_executions = b.first_executions;
    if (b.save_failed.load(std::memory_order_relaxed)) {
      stats.saved = false;
      stats.save_error = b.save_error;
      if (size_t(i) < unsaved_schedule_.size())
        stats.unsaved_schedule = unsaved_schedule_[size_t(i)];
    }
    out.push_back(stats);
  }
  return out;
}

}  // namespace dcfuzz
