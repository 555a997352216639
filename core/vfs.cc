// The execution in progress, and its events.
#include "core/vfs.h"

namespace dcfuzz::model {

namespace {
thread_local Vfs* g_vfs = nullptr;  // Relacy's fibers all run on the caller's thread
}

Vfs& vfs() { return *g_vfs; }
void set_vfs(Vfs* v) { g_vfs = v; }
const Patches& patches() { return g_vfs->plan->patches; }
const char* name_str(int name) { return g_vfs->plan->names[size_t(name)].c_str(); }

void trace(const char* function, const char* what, const ObjRef& object) {
  Host& host = *g_vfs->host;
  char name[96];
  name[0] = 0;
  const bool tracing = host.tracing();
  if (tracing) object_name(object, name, sizeof name);
  host.on_event(
      Event{int(rl::thread_index()), function, what, object_id(object), tracing ? name : nullptr});
}

}  // namespace dcfuzz::model
