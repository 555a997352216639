// Loading and saving schedules. Binary and text format are both accepted
// everywhere; loading normalises. Errors come back as one line of text.
#pragma once

#include <string>

#include "schedule.pb.h"

namespace dcfuzz {

// Parses binary or text format (text if the bytes look like text). On
// failure returns false and sets *error to a one-line reason.
bool parse_schedule(const std::string& bytes, pb::Schedule* out, std::string* error);

// Reads `path`, parses and normalises it.
bool load_schedule(const std::string& path, pb::Schedule* out, std::string* error);

std::string to_text(const pb::Schedule& schedule);
std::string to_binary(const pb::Schedule& schedule);

bool read_file(const std::string& path, std::string* out, std::string* error);
// Writes to a temporary file beside `path`, then renames: readers see the
// old file or the whole new one, never a part.
bool write_file_atomic(const std::string& path, const std::string& data, std::string* error);

}  // namespace dcfuzz
