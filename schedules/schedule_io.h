// Loading and saving schedules. Binary and text format are both accepted
// everywhere; loading normalises. Errors come back as one line of text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "schedule.pb.h"

namespace dcfuzz {

// The largest schedule file load_schedule reads. A normalised schedule is a
// few KiB even in text format; more is a mistake or hostile, and is refused
// before it is read into memory.
constexpr size_t kMaxScheduleFileBytes = size_t(1) << 20;

// Parses binary or text format (text if the bytes look like text). On
// failure returns false and sets *error to a one-line reason.
bool parse_schedule(const std::string& bytes, pb::Schedule* out, std::string* error);

// Reads `path` (at most kMaxScheduleFileBytes; an empty file is an error),
// parses and normalises it. If `note` is given, it is set to what
// normalisation capped at the model's limits ("FILE: 5000 threads, capped to
// 4"), or to "" when nothing was.
bool load_schedule(const std::string& path, pb::Schedule* out, std::string* error,
                   std::string* note = nullptr);

// Whether `message` or a message inside it has fields its type does not.
bool has_unknown_fields(const google::protobuf::Message& message);

std::string to_text(const pb::Schedule& schedule);
std::string to_binary(const pb::Schedule& schedule);

// Reads a whole file of at most `max_bytes`: a directory, a larger file or
// an endless stream (a device, a pipe) is an error, found without reading
// more than max_bytes + 1 bytes. A FIFO nobody writes to reads as empty.
bool read_file(const std::string& path, std::string* out, std::string* error,
               size_t max_bytes = SIZE_MAX);
// Writes to a temporary file beside `path`, then renames: readers see the
// old file or the whole new one, never a part.
bool write_file_atomic(const std::string& path, const std::string& data, std::string* error);

}  // namespace dcfuzz
