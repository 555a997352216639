// The execution in progress, and its events.
#include "core/kernel_state.h"

#include "core/plan.h"
#include "core/program.h"

namespace dcfuzz::model {

namespace {
thread_local KernelState* g_state = nullptr;  // Relacy's fibers all run on the caller's thread
}

KernelState& kstate() { return *g_state; }
void set_kstate(KernelState* state) { g_state = state; }
const Patches& patches() { return g_state->plan->patches; }
const char* name_str(int name) { return g_state->plan->names[size_t(name)].c_str(); }

void trace(EventKind kind, const char* what, const ObjRef& object, const char* function) {
  Host& host = *g_state->host;
  char name[96];
  name[0] = 0;
  const bool tracing = host.tracing();
  if (tracing) object_name(object, name, sizeof name);
  host.on_event(Event{kind, int(rl::thread_index()), function, what, object_id(object),
                      tracing ? name : nullptr});
}

}  // namespace dcfuzz::model
