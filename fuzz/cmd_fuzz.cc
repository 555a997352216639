// dcfuzz fuzz [--kernel V] [--preempt-rt] [--time S] [--jobs N] [--out DIR] [--keep-scenario]
// [CORPUS...]: a campaign (fuzz/campaign.h).
#include "fuzz/campaign.h"
#include "fuzz/commands.h"
#include "schedules/normalize.h"

namespace dcfuzz {

int cmd_fuzz(const Args& args) {
  CampaignOptions options;
  const std::string kernel = args.has("kernel") ? args.get("kernel") : "v4";
  std::string error;
  if (!parse_kernel(kernel, &options.kernel, &options.switches, &options.free_switches, &error))
    throw UsageError{error};
  options.seconds = int(args.get_int("time", 1, 86400));
  options.jobs = int(args.get_int("jobs", 1, 64));
  options.seed = uint64_t(args.get_int("seed", 0, 4000000000L));
  options.out_dir = args.get("out");
  check_output_dir(options.out_dir, "--out");
  for (const auto& dir : args.positional) check_corpus_dir(dir);
  options.corpus_dirs = args.positional;
  options.interleaving_coverage = !args.has("no_interleaving_coverage");
  options.keep_scenario = args.has("keep_scenario");
  options.preempt_rt = args.has("preempt_rt");
  return run_campaign(options);
}

}  // namespace dcfuzz
