// The dcfuzz command line: subcommands and the one table of options
// (options.def) from which parsing and --help come.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dcfuzz {

// Thrown for bad usage or bad input; main prints "dcfuzz: <what>" and exits 2.
struct UsageError {
  std::string what;
};

struct Command {
  const char* name;
  const char* args;     // e.g. "FILE"
  const char* summary;  // one line
  int (*run)(const struct Args& args);
};

struct Args {
  std::string command;
  std::map<std::string, std::string> values;  // option -> value ("" for flags), given ones only
  std::vector<std::string> positional;

  bool has(const std::string& option) const { return values.count(option) != 0; }
  std::string get(const std::string& option) const;  // given value or the table's default
  // An integer option in [min, max]; anything else is a UsageError.
  long get_int(const std::string& option, long min, long max) const;
};

const std::vector<Command>& commands();
// Parses argv (after the program name). Throws UsageError.
Args parse_args(int argc, char** argv);
std::string help_text(const std::string& command);  // "" for the overview

}  // namespace dcfuzz
