// The findings of a campaign. The bucket of a finding is its title. Workers
// are separate processes: their counts live in shared memory, mapped before
// they are forked. The first finding of each bucket in the campaign is timed
// (seconds and executions since the start); the first one in OUT gets
// OUT/<bucket_name(title)>/ -- made with an atomic mkdir, so across workers
// exactly one writes it. The worker writes the schedule as found
// (original.textproto) and goes on; the campaign process minimizes it and
// writes report.txt, schedule.textproto, schedule.pb and interleaving.html.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

struct BucketStats {
  std::string title;
  uint64_t hits = 0;              // executions that ended in it
  double first_seconds = 0;       // since the campaign started
  uint64_t first_executions = 0;  // all workers' executions by then
  // Not on disk (a full or failing file system): why, and the minimized
  // schedule in text format (empty until the campaign process made it).
  bool saved = true;
  std::string save_error;
  std::string unsaved_schedule;
};

class CampaignFindings {
 public:
  static constexpr int kMaxJobs = 64;
  static constexpr int kMaxBuckets = 64;
  static constexpr int kMaxFoundBytes = 16384;  // a found schedule kept in shared memory

  // Maps the shared statistics and starts the clock; before forking workers.
  explicit CampaignFindings(std::string out_dir);
  ~CampaignFindings();
  CampaignFindings(const CampaignFindings&) = delete;
  CampaignFindings& operator=(const CampaignFindings&) = delete;

  std::atomic<uint64_t>* executions_of(int job);

  // Ending a campaign early (Ctrl-C, kill): the campaign process raises the
  // flag; each worker reads it before an execution and exits there, where
  // nothing is half written. (A signal handler in the worker could land in
  // the middle of the model's allocator: libFuzzer's own SIGINT handler
  // allocates, which Relacy took for a double free, or hung in malloc.)
  void request_stop();
  const std::atomic<bool>* stop_flag() const;
  uint64_t executions() const;
  double elapsed_seconds() const;

  // In a worker: one execution ended in a finding.
  void record(const pb::Schedule& schedule, const Execution& execution);

  // In the campaign process: minimize and report the buckets whose found
  // schedule a worker has written since the last call. A bucket that cannot
  // be written keeps its minimized schedule in memory (BucketStats).
  void write_reports();

  // This campaign's announced buckets (the found schedule is on disk), in
  // the order they were first found.
  std::vector<BucketStats> buckets() const;
  // The directory of a bucket, OUT/<bucket_name(title)>.
  std::string bucket_dir(const std::string& title) const;

 private:
  struct Shared;
  // Counts a finding; for the first one of `title` in the campaign, returns
  // its bucket's index, else -1.
  int count(const std::string& title);
  std::string worker_report_path(const std::string& title) const;
  bool check_replays(const char* title, const std::string& dir, const pb::Schedule& found,
                     bool worker_agrees);

  std::string out_dir_;
  Shared* shared_;
  // In the campaign process: buckets that could not be saved -> their
  // minimized schedule in text format.
  std::vector<std::string> unsaved_schedule_;
};

// Minimizes a bucket's found schedule and writes its reproducer, report and
// picture into `dir`. Returns the minimized schedule; *error is set to the
// first write that failed ("" when all were written).
pb::Schedule write_bucket_report(const std::string& dir, const pb::Schedule& found,
                                 const std::string& title, std::string* error);

// The same in a child process (fuzz/isolated.h): a crash of the model on a
// variant of the schedule while minimizing leaves the campaign running; the
// bucket's report then says so (an engine error) and its reproducer is the
// schedule as found.
pb::Schedule write_bucket_report_isolated(const std::string& dir, const pb::Schedule& found,
                                          const std::string& title, std::string* error);

// A campaign killed outright (SIGKILL, power) may leave buckets whose found
// schedule is on disk but whose report is not: the next campaign on the same
// OUT writes those first. Returns how many.
int finish_earlier_reports(const std::string& out_dir);

}  // namespace dcfuzz
