// dcfuzz minimize FILE [-o OUT]: the smallest schedule with the same bucket,
// written in text format (default: beside FILE as NAME.min.textproto; "-o -"
// writes it to stdout and the summary to stderr).
#include <iostream>

#include "fuzz/commands.h"
#include "schedules/minimize.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {
namespace {

// "dir/crash.textproto" -> "dir/crash.min.textproto"
std::string default_output(const std::string& input) {
  const size_t slash = input.rfind('/');
  const size_t dot = input.rfind('.');
  const bool has_extension =
      dot != std::string::npos && dot > (slash == std::string::npos ? 0 : slash + 1);
  return (has_extension ? input.substr(0, dot) : input) + ".min.textproto";
}

std::string schedule_file(const MinimizeResult& result, const std::string& name) {
  return "# " + result.title + "\n# minimized by dcfuzz minimize; replay: dcfuzz replay " + name +
         "\n" + to_text(result.schedule);
}

}  // namespace

int cmd_minimize(const Args& args) {
  const pb::Schedule input = load_schedule_arg(args);
  const std::string& file = args.positional[0];
  const std::string out = args.has("o") ? args.get("o") : default_output(file);
  if (out.empty()) throw UsageError{"-o wants a file name (or - for stdout)"};
  const bool to_stdout = out == "-";
  if (!to_stdout) check_output_file(out, args.has("o") ? "-o" : "output");
  std::ostream& say = to_stdout ? std::cerr : std::cout;

  MinimizeResult result = minimize(input);
  if (!result.found) {
    say << "no bug: " << file << " runs without a finding (" << format_stats(result.before)
        << "); nothing to minimize\n";
    return 0;
  }
  say << result.title << "\n"
      << "before: " << format_stats(result.before) << "\n"
      << "after:  " << format_stats(result.after) << "\n"
      << (result.log.empty() ? "already minimal"
                             : "kept " + std::to_string(result.log.size()) + " simplification(s)")
      << " (" << result.executions << " executions)" << (result.log.empty() ? "\n" : ":\n");
  for (const auto& line : result.log) say << "  " << line << "\n";
  if (to_stdout) {
    std::cout << schedule_file(result, "FILE");
    return 1;
  }
  std::string error;
  if (!write_file_atomic(out, schedule_file(result, out), &error)) throw UsageError{error};
  say << "wrote " << out << "; replay it with: dcfuzz replay " << out << "\n";
  return 1;
}

}  // namespace dcfuzz
