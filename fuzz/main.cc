// dcfuzz: one binary for fuzz campaigns, replay, minimization and exploration.
#include <iostream>

#include "fuzz/cli.h"

int main(int argc, char** argv) {
  using namespace dcfuzz;
  try {
    Args args = parse_args(argc - 1, argv + 1);
    if (args.has("help")) {
      std::cout << help_text(args.command);
      return 0;
    }
    for (const auto& command : commands()) {
      if (args.command == command.name) return command.run(args);
    }
    throw UsageError{"unknown command '" + args.command + "'"};
  } catch (const UsageError& error) {
    std::cerr << "dcfuzz: " << error.what << "\n";
    return 2;
  }
}
