// dcfuzz fuzz [--strategy S] [--kernel V] [--preempt-rt] [--time S] [--max-executions N]
// [--jobs N] [--out DIR] [--keep-scenario] [--stop-on-finding] [CORPUS...]: a campaign
// (fuzz/campaign.h).
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
  options.stop_on_finding = args.has("stop_on_finding");
  if (args.has("max_executions"))
    options.max_executions = uint64_t(args.get_int("max_executions", 1, 1000000000));
  const std::string strategy = args.get("strategy");
  if (!strategy_from_name(strategy, &options.strategy)) {
    throw UsageError{"unknown --strategy '" + strategy + "' (one of " + strategy_names() + ")"};
  }
  if (options.strategy != CampaignStrategy::fuzz) {
    // The strategy draws its own scenarios; a corpus is only a list of them.
    if (!options.corpus_dirs.empty() && !options.keep_scenario) {
      throw UsageError{"--strategy " + strategy +
                       " draws random scenarios; to run CORPUS's scenarios give --keep-scenario"};
    }
    if (!options.interleaving_coverage) {
      throw UsageError{"--no-interleaving-coverage applies to --strategy fuzz only"};
    }
  }
  return run_campaign(options);
}

}  // namespace dcfuzz
