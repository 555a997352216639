#include "fuzz/cli.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace dcfuzz {
namespace {

struct OptionSpec {
  const char* name;
  const char* commands;  // space-separated
  bool takes_value;
  const char* default_value;
  const char* help;
};

constexpr OptionSpec kOptions[] = {
#define DCFUZZ_OPTION(name, commands, takes_value, default_value, help) \
  {#name, commands, takes_value, default_value, help},
#include "fuzz/options.def"
#undef DCFUZZ_OPTION
};

const OptionSpec* find_option(const std::string& name) {
  for (const auto& spec : kOptions) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

bool applies_to(const OptionSpec& spec, const std::string& command) {
  std::istringstream words(spec.commands);
  std::string word;
  while (words >> word) {
    if (word == command) return true;
  }
  return false;
}

std::string option_spelling(const OptionSpec& spec) {
  std::string name = spec.name;
  for (char& c : name) c = c == '_' ? '-' : c;
  return (name.size() == 1 ? "-" : "--") + name;
}

const Command* find_command(const std::string& name) {
  for (const auto& command : commands()) {
    if (name == command.name) return &command;
  }
  return nullptr;
}

}  // namespace

std::string Args::get(const std::string& option) const {
  auto it = values.find(option);
  if (it != values.end()) return it->second;
  const OptionSpec* spec = find_option(option);
  return spec ? spec->default_value : "";
}

long Args::get_int(const std::string& option, long min, long max) const {
  std::string text = get(option);
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(text.c_str(), &end, 10);
  // strtol would also take leading blanks and a '+': only digits, maybe a '-'.
  const bool digits = !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) ||
                                        (text[0] == '-' && text.size() > 1));
  if (!digits || *end != '\0' || errno != 0 || value < min || value > max) {
    const OptionSpec* spec = find_option(option);
    throw UsageError{(spec ? option_spelling(*spec) : "--" + option) + " wants an integer in " +
                     std::to_string(min) + ".." + std::to_string(max) + ", got '" + text + "'"};
  }
  return value;
}

Args parse_args(int argc, char** argv) {
  Args args;
  if (argc < 1) throw UsageError{"no command given; see dcfuzz --help"};
  std::string first = argv[0];
  if (first == "--help" || first == "-h" || first == "help") {
    args.command = "";
    args.values["help"] = "";
    return args;
  }
  if (!find_command(first)) throw UsageError{"unknown command '" + first + "'; see dcfuzz --help"};
  args.command = first;
  bool options_ended = false;  // after "--", every word is an argument
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--" && !options_ended) {
      options_ended = true;
      continue;
    }
    if (options_ended || word.size() < 2 || word[0] != '-') {
      args.positional.push_back(word);
      continue;
    }
    std::string name = word.substr(word[1] == '-' ? 2 : 1);
    std::string value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    for (char& c : name) c = c == '-' ? '_' : c;
    const OptionSpec* spec = find_option(name);
    if (!spec || option_spelling(*spec) != word.substr(0, word.find('='))) {
      throw UsageError{"unknown option '" + word + "' for '" + args.command + "'"};
    }
    if (!applies_to(*spec, args.command)) {
      throw UsageError{"option " + option_spelling(*spec) + " does not apply to '" + args.command +
                       "'"};
    }
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= argc) throw UsageError{"option " + option_spelling(*spec) + " needs a value"};
      value = argv[++i];
    } else if (!spec->takes_value && inline_value) {
      throw UsageError{"option " + option_spelling(*spec) + " takes no value"};
    }
    if (!args.values.emplace(name, value).second) {
      throw UsageError{"option " + option_spelling(*spec) + " given twice"};
    }
  }
  return args;
}

std::string help_text(const std::string& command) {
  std::ostringstream out;
  if (command.empty()) {
    out << "dcfuzz: a deterministic concurrency fuzzer for the Linux dentry cache model\n\n"
        << "usage: dcfuzz COMMAND [options] [args]\n\ncommands:\n";
    for (const auto& c : commands()) {
      out << "  " << c.name << " " << c.args << "\n      " << c.summary << "\n";
    }
    out << "\nexit codes: 0 ran and found nothing, 1 found (or reproduced) a bug, 2 bad usage or "
           "input, or a finding fuzz could not save (its schedule is in the summary), 3 a campaign "
           "that found nothing but lost a worker (an engine error)\n"
        << "dcfuzz COMMAND --help shows the options of a command; -- ends the options.\n";
    return out.str();
  }
  const Command* c = find_command(command);
  out << "usage: dcfuzz " << c->name << " [options] " << c->args << "\n" << c->summary << "\n\n";
  out << "options:\n";
  for (const auto& spec : kOptions) {
    if (!applies_to(spec, command)) continue;
    std::string left = option_spelling(spec) + (spec.takes_value ? " VALUE" : "");
    out << "  " << left << "\n      " << spec.help;
    if (spec.takes_value && spec.default_value[0])
      out << " [default: " << spec.default_value << "]";
    out << "\n";
  }
  return out.str();
}

}  // namespace dcfuzz
