#include "schedules/schedule_io.h"

#include <fcntl.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "schedules/normalize.h"

namespace dcfuzz {
namespace {

class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (text_.empty()) {
      text_ =
          "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
    }
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// Never wrong about a binary schedule: the innermost field of one has a tag
// below 0x20 that is not \t, \n or \r (every scalar and bytes field of
// schedule.proto has), or is an empty message, whose length is 0.
bool looks_like_text(const std::string& bytes) {
  for (unsigned char c : bytes) {
    if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c >= 0x80) return false;
  }
  return true;
}

}  // namespace

bool has_unknown_fields(const google::protobuf::Message& message) {
  const auto* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty()) return true;
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        if (has_unknown_fields(reflection->GetRepeatedMessage(message, field, i))) return true;
      }
    } else if (has_unknown_fields(reflection->GetMessage(message, field))) {
      return true;
    }
  }
  return false;
}

namespace {

bool parse_binary(const std::string& bytes, pb::Schedule* out, std::string* error) {
  if (!out->ParseFromString(bytes)) {
    *error = "not a schedule (neither binary nor text protobuf)";
    return false;
  }
  if (has_unknown_fields(*out)) {
    *error = "not a schedule (binary data with fields a schedule does not have)";
    return false;
  }
  return true;
}

std::string size_name(size_t bytes) {
  if (bytes >= (size_t(1) << 20) && bytes % (size_t(1) << 20) == 0) {
    return std::to_string(bytes >> 20) + " MiB";
  }
  return std::to_string(bytes) + " bytes";
}

// Closes the descriptor on every path out of read_file.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

bool parse_schedule(const std::string& bytes, pb::Schedule* out, std::string* error) {
  if (!looks_like_text(bytes)) return parse_binary(bytes, out, error);
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (parser.ParseFromString(bytes, out)) return true;
  *error = "malformed text-format schedule: " + errors.text();
  return false;
}

bool read_file(const std::string& path, std::string* out, std::string* error, size_t max_bytes) {
  out->clear();
  // Non-blocking open: a FIFO without a writer must not wait for one.
  Fd file{open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (file.fd < 0) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(file.fd, &st) != 0) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    *error = path + " is a directory, not a file";
    return false;
  }
  const std::string too_big =
      path + " is larger than " + size_name(max_bytes) + ", the most dcfuzz reads";
  if (S_ISREG(st.st_mode) && uint64_t(st.st_size) > max_bytes) {
    *error = too_big;
    return false;
  }
  fcntl(file.fd, F_SETFL, fcntl(file.fd, F_GETFL) & ~O_NONBLOCK);
  char buffer[65536];
  for (;;) {
    const ssize_t n = read(file.fd, buffer, sizeof buffer);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = "cannot read " + path + ": " + std::strerror(errno);
      return false;
    }
    if (size_t(n) > max_bytes - out->size()) {
      *error = too_big;
      out->clear();
      return false;
    }
    out->append(buffer, size_t(n));
  }
}

bool load_schedule(const std::string& path, pb::Schedule* out, std::string* error,
                   std::string* note) {
  std::string bytes;
  if (!read_file(path, &bytes, error, kMaxScheduleFileBytes)) return false;
  if (bytes.empty()) {
    *error = path + ": empty file, not a schedule";
    return false;
  }
  if (!parse_schedule(bytes, out, error)) {
    *error = path + ": " + *error;
    return false;
  }
  if (note) {
    std::string caps = format_caps(describe_caps(*out));
    const std::string switches = describe_dropped_switches(out->scenario());
    if (!switches.empty()) caps += (caps.empty() ? "" : "; ") + switches;
    *note = caps.empty() ? "" : path + ": " + caps;
  }
  normalize(out);
  return true;
}

std::string to_text(const pb::Schedule& schedule) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(schedule, &text);
  return text;
}

std::string to_binary(const pb::Schedule& schedule) {
  std::string bytes;
  schedule.SerializeToString(&bytes);
  return bytes;
}

bool write_file_atomic(const std::string& path, const std::string& data, std::string* error) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out || !out.write(data.data(), std::streamsize(data.size())) || !out.flush()) {
      *error = "cannot write " + temporary + ": " + std::strerror(errno);
      std::remove(temporary.c_str());
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    *error = "cannot rename " + temporary + " to " + path + ": " + std::strerror(errno);
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace dcfuzz
