// Stable ids and printable names of model objects, for events and reports.
// Never an address: dentries and inodes go by creation number and by path
// ("d_lock of /d/foo", "i_rwsem of /", "dentry <disconnected alias of /d>").
#pragma once

#include <cstddef>
#include <cstdint>

namespace dcfuzz::model {

struct dentry;
struct inode;

enum class Obj : uint8_t {
  op,  // a thread's operation (number: thread * 16 + op index)
  dentry,
  d_lock,
  d_flags,  // wait_var_event key
  d_wait,   // mainline: the in-lookup wait queue
  i_rwsem,
  i_dir_seq,
  bucket,  // in-lookup hash bucket (number: bucket index)
  rename_lock,
  rename_mutex,  // s_vfs_rename_mutex
  task,
  i_lock,  // inode->i_lock, only where a task waits for it (d_obtain_alias)
};

struct ObjRef {
  Obj kind = Obj::op;
  const dentry* d = nullptr;
  const inode* i = nullptr;
  uint32_t number = 0;
};

ObjRef dref(Obj kind, const dentry* d);
ObjRef iref(Obj kind, const inode* i);
ObjRef nref(Obj kind, uint32_t number);

uint32_t object_id(const ObjRef& r);
// Writes e.g. "d_lock of /d/foo" into buf (always NUL-terminated).
void object_name(const ObjRef& r, char* buf, size_t size);
void dentry_path(const dentry* d, char* buf, size_t size);

}  // namespace dcfuzz::model
