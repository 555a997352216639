// The one bridge between the schedule format's enums (schedule.proto) and the
// model's (core/scenario.h): a table per enum pairing their values, checked at
// compile time to agree value for value, and the counts the fuzzer draws from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

#include "core/scenario.h"
#include "schedule.pb.h"

namespace dcfuzz {

template <typename Pb, typename Model>
struct EnumPair {
  Pb pb;
  Model model;
};

inline constexpr EnumPair<pb::Kernel, Kernel> kKernelTable[] = {
    {pb::MAINLINE, Kernel::mainline},           {pb::V4, Kernel::v4},
    {pb::V4_FIXED, Kernel::v4_fixed},           {pb::V4_FIX_MOVE, Kernel::v4_fix_move},
    {pb::V4_FIX_ADD_CI, Kernel::v4_fix_add_ci},
};
inline constexpr EnumPair<pb::Filesystem, FsKind> kFilesystemTable[] = {
    {pb::PLAIN, FsKind::plain},
    {pb::NFS, FsKind::nfs},
    {pb::CASE_INSENSITIVE, FsKind::case_insensitive},
};
inline constexpr EnumPair<pb::OpKind, OpKind> kOpKindTable[] = {
    {pb::LOOKUP, OpKind::lookup},
    {pb::CREATE, OpKind::create},
    {pb::UNLINK, OpKind::unlink},
    {pb::MKDIR, OpKind::mkdir},
    {pb::RENAME, OpKind::rename},
    {pb::OPEN_CREATE, OpKind::open_create},
    {pb::FH_DECODE, OpKind::fh_decode},
    {pb::OPEN, OpKind::open},
    {pb::READDIR, OpKind::readdir},
    {pb::OPEN_HELD, OpKind::open_held},
    // rmdir, link, renameat2 RENAME_EXCHANGE
    {pb::RMDIR, OpKind::rmdir},
    {pb::LINK, OpKind::link},
    {pb::RENAMEAT2_EXCHANGE, OpKind::rename_exchange},
};

// Every protobuf value is in its table, at its own index, paired with the
// model value of the same number: a value cast converts either way.
template <typename Pb, typename Model, size_t N>
constexpr bool same_values(const EnumPair<Pb, Model> (&table)[N], int pb_values) {
  if (int(N) != pb_values) return false;
  for (size_t i = 0; i < N; ++i) {
    if (int(table[i].pb) != int(i) || int(table[i].model) != int(i)) return false;
  }
  return true;
}
static_assert(same_values(kKernelTable, pb::Kernel_ARRAYSIZE), "pb::Kernel != Kernel");
static_assert(same_values(kFilesystemTable, pb::Filesystem_ARRAYSIZE), "pb::Filesystem != FsKind");
// The op kinds may leave numbers out (reserved for ops not here yet): their
// table pairs equal values in ascending order and ends at the last one.
// tests/normalize_test.cc checks that every value the proto knows is in it.
template <size_t N>
constexpr bool same_sparse_values(const EnumPair<pb::OpKind, OpKind> (&table)[N], int pb_values) {
  for (size_t i = 0; i < N; ++i) {
    if (int(table[i].pb) != int(table[i].model)) return false;
    if (i > 0 && int(table[i].pb) <= int(table[i - 1].pb)) return false;
  }
  return N > 0 && int(table[N - 1].pb) == pb_values - 1;
}
static_assert(same_sparse_values(kOpKindTable, pb::OpKind_ARRAYSIZE), "pb::OpKind != OpKind");

// How many values each has (normalisation folds others onto them).
inline constexpr int kKernels = int(std::size(kKernelTable));
inline constexpr int kFilesystems = int(std::size(kFilesystemTable));
inline constexpr int kOpKinds = int(std::size(kOpKindTable));

inline Kernel to_model(pb::Kernel kernel) { return Kernel(int(kernel)); }
inline FsKind to_model(pb::Filesystem fs) { return FsKind(int(fs)); }
inline OpKind to_model(pb::OpKind op) { return OpKind(int(op)); }

// The op kinds by index in their table (0 .. kOpKinds-1), and an index's kind.
inline pb::OpKind op_kind_at(uint32_t index) { return kOpKindTable[index % kOpKinds].pb; }
inline uint32_t op_kind_index(pb::OpKind op) {
  for (int i = 0; i < kOpKinds; ++i)
    if (kOpKindTable[i].pb == op) return uint32_t(i);
  return 0;
}
// `value` if it is an op kind, else the kind at index value % kOpKinds.
inline pb::OpKind known_op_kind(uint32_t value) {
  for (const auto& pair : kOpKindTable)
    if (uint32_t(pair.pb) == value) return pair.pb;
  return op_kind_at(value);
}
inline bool takes_path2(pb::OpKind op) { return op_takes_path2(to_model(op)); }

}  // namespace dcfuzz
