// Work that runs the model on schedules nobody has run before (minimizing a
// finding tries hundreds of variants of it) in a child process, so that a
// crash of the model there -- a dcfuzz bug, or a mutant of the mutation
// benchmark -- costs that work, not the campaign that asked for it.
#pragma once

#include <functional>
#include <string>

namespace dcfuzz {

struct IsolatedResult {
  bool ok = false;     // the child returned normally
  std::string output;  // what it returned (ok only)
  std::string how;     // why not: "killed by signal 11 (Segmentation fault)", ...
};

// Runs `body` in a forked child and hands back the string it returns.
IsolatedResult run_isolated(const std::function<std::string()>& body);

}  // namespace dcfuzz
