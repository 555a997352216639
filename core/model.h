// The dcache model as a Program the engine runs: one scenario (kernel
// variant, filesystem, initial tree, thread programs), executed for real on
// the model's kernel primitives, with every detector armed.
#pragma once

#include <memory>

#include "core/program.h"
#include "core/scenario.h"

namespace dcfuzz {

std::unique_ptr<Program> make_dcache_program(const Scenario& scenario);

}  // namespace dcfuzz
