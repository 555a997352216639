// Printable names of model objects: by path, never by address.
#include "core/dcache.h"
#include "core/kernel_state.h"
#include "core/plan.h"

namespace dcfuzz::model {

ObjRef dref(Obj kind, const dentry* d) { return ObjRef{kind, d, nullptr, d->d_no}; }
ObjRef iref(Obj kind, const inode* i) { return ObjRef{kind, nullptr, i, i->i_no}; }
ObjRef nref(Obj kind, uint32_t number) { return ObjRef{kind, nullptr, nullptr, number}; }

uint32_t object_id(const ObjRef& r) { return (r.number << 4) | uint32_t(r.kind); }

namespace {

// Appends the path of `d` (components from the root) at buf[at..].
size_t append_path(const dentry* d, char* buf, size_t size, size_t at) {
  if (IS_ROOT(d)) {
    if (d == kstate().root) return at;
    const char* of = d->d_inode ? d->d_inode->path : "?";
    int n = snprintf(buf + at, size - at, "<disconnected alias of %s>", of);
    return std::min(size - 1, at + size_t(n < 0 ? 0 : n));
  }
  at = append_path(d->d_parent, buf, size, at);
  int n = snprintf(buf + at, size - at, "/%s", name_str(d->d_name));
  return std::min(size - 1, at + size_t(n < 0 ? 0 : n));
}

const char* kind_prefix(Obj kind) {
  switch (kind) {
    case Obj::dentry:
      return "dentry ";
    case Obj::d_lock:
      return "d_lock of ";
    case Obj::d_flags:
      return "&d_flags of ";
    case Obj::d_wait:
      return "d_wait of ";
    case Obj::i_rwsem:
      return "i_rwsem of ";
    case Obj::i_dir_seq:
      return "i_dir_seq of ";
    case Obj::i_lock:
      return "i_lock of ";
    default:
      return "";
  }
}

}  // namespace

void dentry_path(const dentry* d, char* buf, size_t size) {
  buf[0] = 0;
  if (d == kstate().root) {
    snprintf(buf, size, "/");
    return;
  }
  size_t at = append_path(d, buf, size, 0);
  // Two dentries may share a path (a __d_move target keeps its name): say
  // which one is out of the hash.
  if (!IS_ROOT(d) && !d->d_hashed && !d->d_in_bucket) snprintf(buf + at, size - at, " (unhashed)");
}

void object_name(const ObjRef& r, char* buf, size_t size) {
  const char* prefix = kind_prefix(r.kind);
  size_t at = size_t(snprintf(buf, size, "%s", prefix));
  if (r.d) {
    dentry_path(r.d, buf + at, size - at);
  } else if (r.i) {
    snprintf(buf + at, size - at, "%s", r.i->path);
  } else if (r.kind == Obj::bucket) {
    snprintf(buf, size, "in-lookup hash bucket %u", r.number);
  } else if (r.kind == Obj::rename_lock) {
    snprintf(buf, size, "rename_lock");
  } else if (r.kind == Obj::rename_mutex) {
    snprintf(buf, size, "s_vfs_rename_mutex");
  } else if (r.kind == Obj::task) {
    snprintf(buf, size, "T%u", r.number + 1);
  } else {
    const Plan& plan = *kstate().plan;
    uint32_t thread = r.number >> 4, op = r.number & 15;
    const char* text = thread < plan.threads.size() && op < plan.threads[thread].size()
                           ? plan.threads[thread][op].text.c_str()
                           : "?";
    snprintf(buf, size, "%s", text);
  }
}

}  // namespace dcfuzz::model
