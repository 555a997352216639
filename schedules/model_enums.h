// The one bridge between the schedule format's enums (schedule.proto) and the
// model's (core/scenario.h): a table per enum pairing their values, checked at
// compile time to agree value for value, and the counts the fuzzer draws from.
#pragma once

#include <cstddef>
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
    // server
    {pb::SERVER_RENAME, OpKind::server_rename},
    {pb::SERVER_UNLINK, OpKind::server_unlink},
};

// Every protobuf value is in its table, in order, paired with the model
// value of the same number: a value cast converts either way. The numbers
// may have gaps (values another branch owns); the last is the largest.
template <typename Pb, typename Model, size_t N>
constexpr bool same_values(const EnumPair<Pb, Model> (&table)[N], int pb_values) {
  if (int(table[N - 1].pb) != pb_values - 1) return false;
  for (size_t i = 0; i < N; ++i) {
    if (int(table[i].pb) != int(table[i].model)) return false;
    if (i > 0 && int(table[i].pb) <= int(table[i - 1].pb)) return false;
  }
  return true;
}
static_assert(same_values(kKernelTable, pb::Kernel_ARRAYSIZE), "pb::Kernel != Kernel");
static_assert(same_values(kFilesystemTable, pb::Filesystem_ARRAYSIZE), "pb::Filesystem != FsKind");
static_assert(same_values(kOpKindTable, pb::OpKind_ARRAYSIZE), "pb::OpKind != OpKind");

// How many values each has (normalisation folds others onto them).
inline constexpr int kKernels = int(std::size(kKernelTable));
inline constexpr int kFilesystems = int(std::size(kFilesystemTable));
inline constexpr int kOpKinds = int(std::size(kOpKindTable));

// The op kind of table row `i % kOpKinds` (normalisation and the mutator
// draw rows, so a gap in the numbers is never drawn), and a kind's row.
inline pb::OpKind op_kind_at(uint32_t i) { return kOpKindTable[i % uint32_t(kOpKinds)].pb; }
inline uint32_t op_kind_row(pb::OpKind op) {
  for (uint32_t i = 0; i < uint32_t(kOpKinds); ++i)
    if (kOpKindTable[i].pb == op) return i;
  return 0;
}
// Normalisation: a value the table has stays, any other folds onto a row
// (with no gaps, `value % kOpKinds` either way).
inline pb::OpKind fold_op_kind(uint32_t value) {
  for (const auto& row : kOpKindTable)
    if (uint32_t(row.pb) == value) return row.pb;
  return op_kind_at(value);
}
// The ops with a second path.
inline bool has_path2(pb::OpKind op) { return op == pb::RENAME || op == pb::SERVER_RENAME; }

inline Kernel to_model(pb::Kernel kernel) { return Kernel(int(kernel)); }
inline FsKind to_model(pb::Filesystem fs) { return FsKind(int(fs)); }
inline OpKind to_model(pb::OpKind op) { return OpKind(int(op)); }

}  // namespace dcfuzz
