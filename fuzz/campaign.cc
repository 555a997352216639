#include "fuzz/campaign.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "fuzz/cli.h"
#include "fuzz/findings.h"
#include "fuzz/shipped_seeds.h"
#include "fuzz/target.h"
#include "fuzz/worker.h"
#include "reports/report.h"
#include "schedules/model_enums.h"
#include "schedules/normalize.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {
namespace {

constexpr int kGraceSeconds = 120;  // for a worker busy writing a finding when time is up
// After a stop (Ctrl-C, --stop-on-finding): a worker stops between
// executions, within milliseconds; one still running then is in an
// execution that does not end (the model looping: a dcfuzz bug, or a
// mutant's).
constexpr int kStopGraceSeconds = 10;

volatile sig_atomic_t g_interrupted = 0;

void make_dir(const std::string& path) {
  if (mkdir(path.c_str(), 0777) != 0 && errno != EEXIST) {
    throw UsageError{"cannot create directory '" + path + "': " + strerror(errno)};
  }
}

// Regular, non-hidden files, sorted (the import is deterministic).
std::vector<std::string> list_files(const std::string& dir) {
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string path = dir + "/" + e->d_name;
      struct stat st;
      if (e->d_name[0] != '.' && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        files.push_back(path);
      }
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string hex_hash(const std::string& bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

// Every schedule (text or binary) in `dirs` -- none given: the shipped seeds,
// which are in the binary -- goes to `corpus` in binary with the campaign's
// kernel: libFuzzer's corpora are binary.
void import_corpus(const std::vector<std::string>& dirs, const std::string& corpus,
                   pb::Kernel kernel, PatchSet switches, bool preempt_rt) {
  int imported = 0, skipped = 0;
  auto import = [&](const std::string& bytes) {
    pb::Schedule schedule;
    std::string error;
    if (!parse_schedule(bytes, &schedule, &error)) {
      ++skipped;
      return;
    }
    normalize(&schedule);
    set_kernel(schedule.mutable_scenario(), kernel, switches);
    schedule.mutable_scenario()->set_preempt_rt(preempt_rt);
    const std::string binary = to_binary(schedule);
    if (!write_file_atomic(corpus + "/seed-" + hex_hash(binary), binary, &error)) {
      throw UsageError{error};
    }
    ++imported;
  };
  if (dirs.empty()) {
    for (const auto& seed : shipped_seeds()) import(seed.bytes());
  }
  for (const auto& dir : dirs) {
    for (const auto& file : list_files(dir)) {
      std::string bytes, error;
      if (read_file(file, &bytes, &error, kMaxScheduleFileBytes) && !bytes.empty()) {
        import(bytes);
      } else {
        ++skipped;
      }
    }
  }
  if (skipped) std::fprintf(stderr, "dcfuzz: skipped %d files that are not schedules\n", skipped);
  std::fprintf(stderr, "dcfuzz: %d %sseed schedules imported into %s\n", imported,
               dirs.empty() ? "shipped " : "", corpus.c_str());
}

// OUT belongs to one campaign at a time: an flock() on OUT/.lock, held by the
// campaign process for the campaign's life (the kernel drops it when the
// process ends, however it ends). The file names the holder.
class OutLock {
 public:
  explicit OutLock(const std::string& out_dir) {
    const std::string path = out_dir + "/.lock";
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw UsageError{"cannot open " + path + ": " + strerror(errno)};
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      std::string holder, ignored;
      read_file(path, &holder, &ignored, 256);
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      close(fd_);
      if (error != EWOULDBLOCK) throw UsageError{"cannot lock " + path + ": " + strerror(error)};
      throw UsageError{"--out " + out_dir + " is in use by another campaign (" +
                       (holder.empty() ? std::string("holder unknown") : holder) +
                       "); wait for it to end or choose another --out"};
    }
    const std::string holder = "dcfuzz fuzz, pid " + std::to_string(getpid()) + "\n";
    if (ftruncate(fd_, 0) != 0 || pwrite(fd_, holder.data(), holder.size(), 0) < 0) {
      // A full disk: the lock holds all the same; only its holder goes unnamed.
    }
  }
  ~OutLock() { close(fd_); }
  OutLock(const OutLock&) = delete;
  OutLock& operator=(const OutLock&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// The executions of job `job` when the campaign has a limit: the limit
// shared out, the first jobs taking one more. 0 with no limit.
uint64_t executions_share(const CampaignOptions& options, int job) {
  const uint64_t jobs = uint64_t(options.jobs);
  return options.max_executions / jobs + (uint64_t(job) < options.max_executions % jobs);
}

// The scenarios of the corpus, each once, in file order (--keep-scenario
// with a strategy other than fuzz).
std::vector<pb::Scenario> corpus_scenarios(const std::string& corpus) {
  std::vector<pb::Scenario> scenarios;
  std::vector<std::string> seen;
  for (const auto& file : list_files(corpus)) {
    pb::Schedule schedule;
    std::string bytes, error;
    if (!read_file(file, &bytes, &error, kMaxScheduleFileBytes) ||
        !parse_schedule(bytes, &schedule, &error))
      continue;
    normalize(&schedule);
    std::string key = schedule.scenario().SerializeAsString();
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(std::move(key));
    scenarios.push_back(schedule.scenario());
  }
  return scenarios;
}

// A worker of a strategy other than fuzz: its loop (fuzz/strategy_worker.h)
// in a child process, output in its log.
pid_t start_loop_worker(const CampaignOptions& options, CampaignFindings& findings, int job,
                        uint64_t seed, const std::string& work,
                        const std::vector<pb::Scenario>& scenarios, int lock_fd) {
  const std::string log = work + "/worker-" + std::to_string(job) + ".log";
  const pid_t pid = start_strategy_worker(log, [&, job, seed, lock_fd] {
    close(lock_fd);  // the campaign process holds OUT's lock, not its workers
    StrategyLoop loop;
    loop.strategy = options.strategy;
    loop.kernel = options.kernel;
    loop.switches = options.switches;
    loop.preempt_rt = options.preempt_rt;
    loop.seed = seed;
    loop.scenarios = scenarios;
    loop.seconds = options.seconds;
    loop.max_executions = executions_share(options, job);
    loop.executions = findings.executions_of(job);
    loop.stop = findings.stop_flag();
    loop.on_finding = [&findings](const pb::Schedule& s, const Execution& e) {
      findings.record(s, e);
    };
    return loop;
  });
  if (pid < 0) std::perror("dcfuzz: fork");
  return pid;
}

// A worker: libFuzzer in a child process (fuzz/worker.h), its output in its log.
pid_t start_worker(const CampaignOptions& options, CampaignFindings& findings, int job,
                   uint64_t seed, const std::string& work, const std::string& corpus, int lock_fd) {
  LibFuzzerWorker worker;
  worker.log = work + "/worker-" + std::to_string(job) + ".log";
  worker.seed = seed;
  worker.artifact_dir = work;
  worker.corpus = corpus;
  worker.flags = {
      "-max_total_time=" + std::to_string(options.seconds),
      // Pick up what the other workers add to the corpus; alone, a worker would
      // only rescan its own files every second.
      options.jobs > 1 ? "-reload=1" : "-reload=0",
  };
  // The warm-up (fuzz/target.h run_warmup) comes out of the worker's share
  // of --max-executions. The target ends the worker at its share (a share
  // the warm-up uses up leaves libFuzzer out; libFuzzer's -runs does not
  // count the corpus it starts from). A worker's share is at least 1.
  uint64_t warmup = options.keep_scenario ? 0 : kWarmupSamples;
  const uint64_t share = options.max_executions ? executions_share(options, job) : 0;
  if (options.max_executions) {
    warmup = std::min(warmup, share);
    worker.flags.push_back("-runs=" + std::to_string(share - warmup));
  }
  // The campaign process alone takes Ctrl-C and kill and stops the workers
  // through the shared flag.
  worker.parent_stops_it = true;
  worker.setup = [&options, &findings, job, lock_fd, seed, warmup, share] {
    close(lock_fd);  // the campaign process holds OUT's lock, not its workers
    TargetOptions target;
    target.kernel = options.kernel;
    target.preempt_rt = options.preempt_rt;
    target.switches = options.switches;
    target.free_switches = options.free_switches;
    target.interleaving_coverage = options.interleaving_coverage;
    target.keep_scenario = options.keep_scenario;
    target.executions = findings.executions_of(job);
    target.stop = findings.stop_flag();
    target.on_finding = [&findings](const pb::Schedule& s, const Execution& e) {
      findings.record(s, e);
    };
    target.warmup_samples = uint32_t(warmup);
    target.warmup_seed = seed;
    target.max_executions = share;
    set_target(target);
  };
  const pid_t pid = start_libfuzzer_worker(worker);
  if (pid < 0) std::perror("dcfuzz: fork");
  return pid;
}

// What the campaign runs, for the progress line and the summary: the corpus
// (fuzz: as it grows), the scenarios a strategy runs in turn, or random ones.
std::string scenarios_label(const CampaignOptions& options, const std::string& corpus,
                            size_t fixed_scenarios) {
  if (options.strategy == CampaignStrategy::fuzz)
    return "corpus " + std::to_string(list_files(corpus).size());
  if (options.keep_scenario) return std::to_string(fixed_scenarios) + " scenarios";
  return "random scenarios";
}

std::string tail(const std::string& path, size_t lines) {
  std::string text, error;
  read_file(path, &text, &error);
  if (text.empty()) return text;  // a worker that died before writing a line
  size_t pos = text.size();
  for (size_t n = 0; n <= lines && pos > 0;) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
    ++n;
  }
  return text.substr(pos + 1);
}

// One line, like libFuzzer's status lines: it does not grow with the buckets.
std::string progress_line(const CampaignFindings& findings, const std::string& scenarios) {
  const double elapsed = findings.elapsed_seconds();
  const uint64_t execs = findings.executions();
  const size_t buckets = findings.buckets().size();
  char line[160];
  std::snprintf(line, sizeof line, "[%5.0fs] %llu execs, %.0f/s, %s, %zu bucket%s", elapsed,
                static_cast<unsigned long long>(execs), elapsed > 0 ? double(execs) / elapsed : 0.0,
                scenarios.c_str(), buckets, buckets == 1 ? "" : "s");
  return line;
}

// A line of its own for each new bucket, when it is announced.
std::string new_bucket_line(const BucketStats& b) {
  char tail[96];
  std::snprintf(tail, sizeof tail, " (after %.1f s, %llu execs)", b.first_seconds,
                static_cast<unsigned long long>(b.first_executions));
  return "new bucket: " + b.title + tail;
}

void write_findings_tsv(const CampaignFindings& findings, const std::string& path) {
  std::ostringstream tsv;
  tsv << "bucket\tseconds\texecutions\thits\ttitle\n";
  for (const auto& b : findings.buckets()) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f", b.first_seconds);
    tsv << bucket_name(b.title) << "\t" << seconds << "\t" << b.first_executions << "\t" << b.hits
        << "\t" << b.title << "\n";
  }
  std::string error;
  static std::string last_error;  // said once, not with every progress line
  if (!write_file_atomic(path, tsv.str(), &error) && error != last_error)
    std::fprintf(stderr, "dcfuzz: %s\n", error.c_str());
  last_error = error;
}

void print_summary(const CampaignOptions& options, const CampaignFindings& findings,
                   const std::string& scenarios) {
  const double elapsed = findings.elapsed_seconds();
  const uint64_t execs = findings.executions();
  const auto buckets = findings.buckets();
  const std::string with = options.strategy == CampaignStrategy::fuzz
                               ? std::string()
                               : std::string(" with ") + strategy_name(options.strategy);
  std::printf("campaign on %s%s%s: %.0f s, %d job%s, %llu executions (%.0f/s), %s\n",
              kernel_spelling(to_model(options.kernel), options.switches).c_str(),
              options.preempt_rt ? " PREEMPT_RT" : "", with.c_str(), elapsed, options.jobs,
              options.jobs == 1 ? "" : "s", static_cast<unsigned long long>(execs),
              elapsed > 0 ? double(execs) / elapsed : 0.0, scenarios.c_str());
  if (buckets.empty()) {
    std::printf("no findings\n");
    return;
  }
  std::printf("%zu bug%s found:\n", buckets.size(), buckets.size() == 1 ? "" : "s");
  size_t unsaved = 0;
  for (const auto& b : buckets) {
    std::printf("  %s\n      first after %.1f s (%llu executions), %llu hits; ", b.title.c_str(),
                b.first_seconds, static_cast<unsigned long long>(b.first_executions),
                static_cast<unsigned long long>(b.hits));
    if (b.saved) {
      std::printf("%s/\n", findings.bucket_dir(b.title).c_str());
      continue;
    }
    ++unsaved;
    // Nothing found is lost: the reproducer goes to stdout, ready for a file.
    std::printf("NOT SAVED (%s); its minimized schedule, for `dcfuzz replay`:\n",
                b.save_error.c_str());
    std::printf("----- %s.textproto -----\n%s----- end of %s.textproto -----\n",
                bucket_name(b.title).c_str(), b.unsaved_schedule.c_str(),
                bucket_name(b.title).c_str());
  }
  if (unsaved) {
    std::printf("%zu of the %zu bugs could not be saved in %s/; their schedules are above\n",
                unsaved, buckets.size(), options.out_dir.c_str());
  }
}

// Waits for the workers, printing progress; stops them when time is well up.
// Returns how many stopped abnormally (a crash of the model: a dcfuzz bug).
int supervise(const CampaignOptions& options, CampaignFindings& findings,
              std::map<pid_t, int> workers, const std::string& work,
              const std::function<std::string()>& scenarios) {
  double next_progress = options.progress_every;
  size_t announced = 0;  // buckets given a line of their own
  bool forwarded = false;
  double stopped_at = 0;  // when the stop was forwarded
  std::set<pid_t> killed;
  uint64_t tsv_hits = 0;  // what the findings.tsv on disk counts
  size_t tsv_buckets = 0;
  int abnormal = 0;
  while (!workers.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int status = 0;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {
      auto it = workers.find(pid);
      if (it == workers.end()) continue;
      const bool clean = WIFEXITED(status) && (WEXITSTATUS(status) == 0 || g_interrupted);
      if (!clean) {
        const std::string log = work + "/worker-" + std::to_string(it->second) + ".log";
        const std::string why = killed.count(pid) ? ": it did not stop when told to, and was "
                                                    "killed (an execution that does not end)"
                                                  : " (status " + std::to_string(status) + ")";
        std::fprintf(stderr, "dcfuzz: worker %d stopped abnormally%s; end of %s:\n%s", it->second,
                     why.c_str(), log.c_str(), tail(log, 8).c_str());
        ++abnormal;
      }
      workers.erase(it);
    }
    const double elapsed = findings.elapsed_seconds();
    if (g_interrupted && !forwarded) {
      findings.request_stop();
      forwarded = true;
      stopped_at = elapsed;
    }
    if (elapsed > options.seconds + kGraceSeconds ||
        (forwarded && elapsed > stopped_at + kStopGraceSeconds)) {
      for (const auto& [pid, job] : workers) {
        if (killed.insert(pid).second) kill(pid, SIGKILL);
      }
    }
    findings.write_reports();
    const bool progress = elapsed >= next_progress && !workers.empty();
    // findings.tsv follows the campaign: at once for a new bucket, with each
    // progress line for new hits; scripts can watch it.
    uint64_t hits = 0;
    const auto buckets = findings.buckets();
    for (const auto& b : buckets) hits += b.hits;
    if (hits != tsv_hits && (progress || buckets.size() != tsv_buckets)) {
      write_findings_tsv(findings, options.out_dir + "/findings.tsv");
      tsv_hits = hits;
      tsv_buckets = buckets.size();
    }
    // --stop-on-finding: the workers stop between executions, as on Ctrl-C.
    if (options.stop_on_finding && !buckets.empty() && !forwarded) {
      findings.request_stop();
      forwarded = true;
      stopped_at = elapsed;
    }
    for (; announced < buckets.size(); ++announced)
      std::fprintf(stderr, "%s\n", new_bucket_line(buckets[announced]).c_str());
    if (progress) {
      std::fprintf(stderr, "%s\n", progress_line(findings, scenarios()).c_str());
      next_progress += options.progress_every;
    }
  }
  return abnormal;
}

}  // namespace

int run_campaign(const CampaignOptions& options) {
  const std::vector<std::string>& dirs = options.corpus_dirs;
  const std::string corpus = options.out_dir + "/corpus";
  const std::string work = options.out_dir + "/work";
  make_dir(options.out_dir);
  OutLock lock(options.out_dir);
  for (const auto& dir : {corpus, work}) make_dir(dir);
  finish_earlier_reports(options.out_dir);
  const bool fuzz = options.strategy == CampaignStrategy::fuzz;
  // A strategy other than fuzz runs random scenarios, or with
  // --keep-scenario the corpus's: only then does it need the corpus.
  if (fuzz || options.keep_scenario)
    import_corpus(dirs, corpus, options.kernel, options.switches, options.preempt_rt);
  std::vector<pb::Scenario> scenarios;
  if (!fuzz && options.keep_scenario) scenarios = corpus_scenarios(corpus);
  if (!fuzz && options.keep_scenario && scenarios.empty())
    throw UsageError{"--keep-scenario: no scenario in the corpus to run"};

  const uint64_t seed = options.seed ? options.seed : uint64_t(std::time(nullptr)) % 1000000007;
  const std::string with =
      fuzz ? std::string() : std::string(" with ") + strategy_name(options.strategy);
  std::fprintf(stderr, "dcfuzz: %s %s%s%s for %d s with %d job%s, seed %llu, findings in %s/\n",
               fuzz ? "fuzzing" : "testing",
               kernel_spelling(to_model(options.kernel), options.switches).c_str(),
               options.preempt_rt ? " PREEMPT_RT" : "", with.c_str(), options.seconds, options.jobs,
               options.jobs == 1 ? "" : "s", static_cast<unsigned long long>(seed),
               options.out_dir.c_str());
  CampaignFindings findings(options.out_dir);
  g_interrupted = 0;
  // Ctrl-C or kill: stop the workers, report, summarize -- like time up.
  auto previous_int = signal(SIGINT, [](int) { g_interrupted = 1; });
  auto previous_term = signal(SIGTERM, [](int) { g_interrupted = 1; });
  write_findings_tsv(findings, options.out_dir + "/findings.tsv");
  std::map<pid_t, int> workers;
  for (int job = 0; job < options.jobs; ++job) {
    if (options.max_executions && executions_share(options, job) == 0) continue;
    const uint64_t job_seed = seed + uint64_t(job);
    const pid_t pid =
        fuzz ? start_worker(options, findings, job, job_seed, work, corpus, lock.fd())
             : start_loop_worker(options, findings, job, job_seed, work, scenarios, lock.fd());
    if (pid > 0) workers[pid] = job;
  }
  const auto label = [&] { return scenarios_label(options, corpus, scenarios.size()); };
  const int abnormal = supervise(options, findings, workers, work, label);
  findings.write_reports();
  signal(SIGINT, previous_int);
  signal(SIGTERM, previous_term);
  write_findings_tsv(findings, options.out_dir + "/findings.tsv");
  print_summary(options, findings, label());
  const auto buckets = findings.buckets();
  for (const auto& b : buckets) {
    if (!b.saved) {
      std::fprintf(stderr, "dcfuzz: a finding could not be saved in %s/ (%s)\n",
                   options.out_dir.c_str(), b.save_error.c_str());
      return 2;
    }
  }
  if (abnormal) {
    // Not "no findings" and exit 0: the campaign did not run its course.
    const std::string input =
        fuzz ? "; a crashed worker saved its input as " + work + "/crash-model-*" : std::string();
    std::fprintf(stderr,
                 "dcfuzz: engine error: %d of %d worker%s stopped abnormally (the model crashed or "
                 "did not end an execution: a dcfuzz bug; its log is above%s)\n",
                 abnormal, int(workers.size()), workers.size() == 1 ? "" : "s", input.c_str());
  }
  if (!buckets.empty()) return 1;
  return abnormal ? 3 : 0;
}

}  // namespace dcfuzz
