// The dcache model as a Program the engine runs: one scenario (kernel
// variant, filesystem, initial tree, thread programs), executed for real on
// the model's kernel primitives, with every detector armed.
#pragma once

#include <memory>

#include "core/model_options.h"
#include "core/program.h"
#include "core/scenario.h"

namespace dcfuzz {

// Takes the scenario by value: a temporary one (to_scenario()) is moved in.
std::unique_ptr<Program> make_dcache_program(Scenario scenario, const ModelOptions& options = {});

// make_dcache_program(scenario, options), made in `program` -- one that
// make_dcache_program made and that is not running -- on its buffers: a fuzz
// campaign compiles a program for most executions (a new scenario).
void remake_dcache_program(Program& program, Scenario scenario, const ModelOptions& options = {});
// The same, taking *scenario and leaving the program's old one in its place:
// buffers to fill with the next scenario (to_scenario(in, scenario)).
void remake_dcache_program(Program& program, Scenario* scenario, const ModelOptions& options = {});

}  // namespace dcfuzz
