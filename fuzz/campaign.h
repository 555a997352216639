// A fuzz campaign: the seeds become a binary working corpus in OUT/corpus,
// N worker processes each run libFuzzer on it (sharing what they find through
// that directory, as libFuzzer's -jobs does), and this process prints a
// progress line every few seconds and a summary at the end.
//
// OUT/corpus/        the working corpus (binary schedules)
// OUT/<bucket>/      one directory per bug: report.txt, schedule.textproto, schedule.pb
// OUT/findings.tsv   per bucket: time and executions to its first finding, hits
// OUT/work/          libFuzzer's logs and artifacts, one log per worker
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/scenario.h"
#include "fuzz/strategy_worker.h"
#include "schedule.pb.h"

namespace dcfuzz {

struct CampaignOptions {
  pb::Kernel kernel = pb::V4;
  bool preempt_rt = false;  // every schedule runs on a PREEMPT_RT kernel
  PatchSet switches = variant_info(Kernel::v4).switches;  // the kernel's switches (--kernel)
  PatchSet free_switches = 0;  // of those, what the mutator may flip (--kernel ...,~SWITCH)
  int seconds = 180;
  int jobs = 1;
  std::string out_dir = "out";
  // Existing directories (cmd_fuzz checks them); empty: the shipped seeds
  // (fuzz/shipped_seeds.h, compiled into the binary).
  std::vector<std::string> corpus_dirs;
  uint64_t seed = 0;  // 0: from the clock
  bool interleaving_coverage = true;
  // fuzz: mutate only the interleaving of the corpus's scenarios. Another
  // strategy: run the corpus's scenarios (default: the shipped seeds') in
  // turn instead of random ones.
  bool keep_scenario = false;
  // fuzz: libFuzzer workers. Another: each worker draws a random scenario
  // (random_schedule, with `kernel`) per execution and lets the strategy
  // choose its interleaving (fuzz/strategy_worker.h).
  CampaignStrategy strategy = CampaignStrategy::fuzz;
  uint64_t max_executions = 0;   // the campaign ends after this many (all workers); 0: no limit
  bool stop_on_finding = false;  // the campaign ends at its first finding (--stop-on-finding)
  double progress_every = 5;     // seconds between progress lines
};

// Runs a campaign. Returns the exit code: 1 if anything was found, else 0;
// 2 if a finding could not be saved in OUT (its schedule is in the summary
// on stdout). Throws UsageError for bad input (a corpus directory that is
// missing) and for an OUT another campaign is using.
int run_campaign(const CampaignOptions& options);

}  // namespace dcfuzz
