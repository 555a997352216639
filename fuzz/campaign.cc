#include "fuzz/campaign.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <sstream>
#include <thread>

#include "fuzz/cli.h"
#include "fuzz/findings.h"
#include "fuzz/target.h"
#include "reports/report.h"
#include "schedules/model_enums.h"
#include "schedules/normalize.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {
namespace {

constexpr int kMaxScheduleBytes = 4096;
constexpr int kGraceSeconds = 120;  // for a worker busy writing a finding when time is up

volatile sig_atomic_t g_interrupted = 0;

bool is_dir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

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

// Every schedule (text or binary) in `dirs` goes to `corpus` in binary with
// the campaign's kernel: libFuzzer's corpora are binary.
void import_corpus(const std::vector<std::string>& dirs, const std::string& corpus,
                   pb::Kernel kernel, PatchSet switches) {
  int imported = 0, skipped = 0;
  for (const auto& dir : dirs) {
    for (const auto& file : list_files(dir)) {
      pb::Schedule schedule;
      std::string error;
      if (!load_schedule(file, &schedule, &error)) {
        ++skipped;
        continue;
      }
      set_kernel(schedule.mutable_scenario(), kernel, switches);
      const std::string bytes = to_binary(schedule);
      if (!write_file_atomic(corpus + "/seed-" + hex_hash(bytes), bytes, &error)) {
        throw UsageError{error};
      }
      ++imported;
    }
  }
  if (skipped) std::fprintf(stderr, "dcfuzz: skipped %d files that are not schedules\n", skipped);
  std::fprintf(stderr, "dcfuzz: %d seed schedules imported into %s\n", imported, corpus.c_str());
}

std::vector<std::string> libfuzzer_arguments(const CampaignOptions& options, uint64_t seed,
                                             const std::string& work, const std::string& corpus) {
  return {
      "-seed=" + std::to_string(seed),
      "-max_total_time=" + std::to_string(options.seconds),
      "-max_len=" + std::to_string(kMaxScheduleBytes),
      "-len_control=0",  // the mutator bounds sizes itself
      // Pick up what the other workers add to the corpus; alone, a worker would
      // only rescan its own files every second.
      options.jobs > 1 ? "-reload=1" : "-reload=0",
      "-timeout=60",  // executions are bounded by the engine's step budget; a stuck engine
      "-rss_limit_mb=4096",
      "-detect_leaks=0",
      "-handle_int=0",  // see start_worker: the campaign process stops the workers
      "-handle_term=0",
      "-print_final_stats=0",
      "-artifact_prefix=" + work + "/",
      corpus,
  };
}

// A worker: libFuzzer in a child process, its own output in its log.
pid_t start_worker(const CampaignOptions& options, CampaignFindings& findings, int job,
                   const std::vector<std::string>& arguments, const std::string& log) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) std::perror("dcfuzz: fork");
  if (pid != 0) return pid;
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  // The campaign process alone takes Ctrl-C and kill (the terminal sends
  // Ctrl-C to every process of the group) and stops the workers through
  // the shared flag; libFuzzer is told to leave these signals alone.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // a campaign killed outright takes its workers along
  TargetOptions target;
  target.kernel = options.kernel;
  target.switches = options.switches;
  target.free_switches = options.free_switches;
  target.interleaving_coverage = options.interleaving_coverage;
  target.keep_scenario = options.keep_scenario;
  target.executions = findings.executions_of(job);
  target.stop = findings.stop_flag();
  target.on_finding = [&findings](const pb::Schedule& s, const Execution& e) {
    findings.record(s, e);
  };
  set_target(target);
  run_libfuzzer(arguments);
}

std::string tail(const std::string& path, size_t lines) {
  std::string text, error;
  read_file(path, &text, &error);
  size_t pos = text.size();
  for (size_t n = 0; n <= lines && pos > 0;) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
    ++n;
  }
  return text.substr(pos + 1);
}

std::string progress_line(const CampaignFindings& findings, const std::string& corpus) {
  const double elapsed = findings.elapsed_seconds();
  const uint64_t execs = findings.executions();
  std::ostringstream line;
  char head[160];
  std::snprintf(head, sizeof head, "[%5.0fs] %llu execs, %.0f/s, corpus %zu, findings:", elapsed,
                static_cast<unsigned long long>(execs), elapsed > 0 ? double(execs) / elapsed : 0.0,
                list_files(corpus).size());
  line << head;
  const auto buckets = findings.buckets();
  if (buckets.empty()) line << " none";
  for (const auto& b : buckets) line << " " << bucket_name(b.title) << "=" << b.hits;
  return line.str();
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
  if (!write_file_atomic(path, tsv.str(), &error))
    std::fprintf(stderr, "dcfuzz: %s\n", error.c_str());
}

void print_summary(const CampaignOptions& options, const CampaignFindings& findings,
                   const std::string& corpus) {
  const double elapsed = findings.elapsed_seconds();
  const uint64_t execs = findings.executions();
  const auto buckets = findings.buckets();
  std::printf("campaign on %s: %.0f s, %d job%s, %llu executions (%.0f/s), corpus %zu\n",
              kernel_spelling(to_model(options.kernel), options.switches).c_str(), elapsed,
              options.jobs, options.jobs == 1 ? "" : "s", static_cast<unsigned long long>(execs),
              elapsed > 0 ? double(execs) / elapsed : 0.0, list_files(corpus).size());
  if (buckets.empty()) {
    std::printf("no findings\n");
    return;
  }
  std::printf("%zu bug%s found:\n", buckets.size(), buckets.size() == 1 ? "" : "s");
  for (const auto& b : buckets) {
    std::printf("  %s\n      first after %.1f s (%llu executions), %llu hits; %s/\n",
                b.title.c_str(), b.first_seconds,
                static_cast<unsigned long long>(b.first_executions),
                static_cast<unsigned long long>(b.hits), findings.bucket_dir(b.title).c_str());
  }
}

// Waits for the workers, printing progress; stops them when time is well up.
void supervise(const CampaignOptions& options, CampaignFindings& findings,
               std::map<pid_t, int> workers, const std::string& work, const std::string& corpus) {
  double next_progress = options.progress_every;
  bool forwarded = false;
  uint64_t tsv_hits = 0;  // what the findings.tsv on disk counts
  size_t tsv_buckets = 0;
  while (!workers.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int status = 0;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {
      auto it = workers.find(pid);
      if (it == workers.end()) continue;
      const bool clean = WIFEXITED(status) && (WEXITSTATUS(status) == 0 || g_interrupted);
      if (!clean) {
        const std::string log = work + "/worker-" + std::to_string(it->second) + ".log";
        std::fprintf(stderr, "dcfuzz: worker %d stopped abnormally (status %d); end of %s:\n%s",
                     it->second, status, log.c_str(), tail(log, 8).c_str());
      }
      workers.erase(it);
    }
    const double elapsed = findings.elapsed_seconds();
    if (g_interrupted && !forwarded) {
      findings.request_stop();
      forwarded = true;
    }
    if (elapsed > options.seconds + kGraceSeconds) {
      for (const auto& [pid, job] : workers) kill(pid, SIGKILL);
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
    if (progress) {
      std::fprintf(stderr, "%s\n", progress_line(findings, corpus).c_str());
      next_progress += options.progress_every;
    }
  }
}

}  // namespace

std::string shipped_seeds_dir() {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string path(exe, size_t(n));
    std::string beside = path.substr(0, path.rfind('/')) + "/../corpus/seeds";
    if (is_dir(beside)) return beside;
  }
  return is_dir("corpus/seeds") ? "corpus/seeds" : "";
}

int run_campaign(const CampaignOptions& options) {
  std::vector<std::string> dirs = options.corpus_dirs;
  if (dirs.empty()) {
    std::string seeds = shipped_seeds_dir();
    if (seeds.empty())
      throw UsageError{"cannot find the shipped seeds (corpus/seeds); name a CORPUS"};
    dirs.push_back(seeds);
  }
  const std::string corpus = options.out_dir + "/corpus";
  const std::string work = options.out_dir + "/work";
  for (const auto& dir : {options.out_dir, corpus, work}) make_dir(dir);
  finish_earlier_reports(options.out_dir);
  import_corpus(dirs, corpus, options.kernel, options.switches);

  const uint64_t seed = options.seed ? options.seed : uint64_t(std::time(nullptr)) % 1000000007;
  std::fprintf(stderr, "dcfuzz: fuzzing %s for %d s with %d job%s, seed %llu, findings in %s/\n",
               kernel_spelling(to_model(options.kernel), options.switches).c_str(), options.seconds,
               options.jobs, options.jobs == 1 ? "" : "s", static_cast<unsigned long long>(seed),
               options.out_dir.c_str());
  CampaignFindings findings(options.out_dir);
  g_interrupted = 0;
  // Ctrl-C or kill: stop the workers, report, summarize -- like time up.
  auto previous_int = signal(SIGINT, [](int) { g_interrupted = 1; });
  auto previous_term = signal(SIGTERM, [](int) { g_interrupted = 1; });
  write_findings_tsv(findings, options.out_dir + "/findings.tsv");
  std::map<pid_t, int> workers;
  for (int job = 0; job < options.jobs; ++job) {
    const auto arguments = libfuzzer_arguments(options, seed + uint64_t(job), work, corpus);
    const std::string log = work + "/worker-" + std::to_string(job) + ".log";
    if (pid_t pid = start_worker(options, findings, job, arguments, log); pid > 0)
      workers[pid] = job;
  }
  supervise(options, findings, workers, work, corpus);
  findings.write_reports();
  signal(SIGINT, previous_int);
  signal(SIGTERM, previous_term);
  write_findings_tsv(findings, options.out_dir + "/findings.tsv");
  print_summary(options, findings, corpus);
  return findings.buckets().empty() ? 0 : 1;
}

}  // namespace dcfuzz
