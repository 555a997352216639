#include "schedules/schedule_io.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "schedules/normalize.h"

namespace dcfuzz {
namespace {

class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (text_.empty()) {
      text_ = "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
    }
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

bool looks_like_text(const std::string& bytes) {
  for (unsigned char c : bytes) {
    if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c >= 0x80) return false;
  }
  return true;
}

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

}  // namespace

bool parse_schedule(const std::string& bytes, pb::Schedule* out, std::string* error) {
  if (looks_like_text(bytes)) {
    google::protobuf::TextFormat::Parser parser;
    FirstError errors;
    parser.RecordErrorsTo(&errors);
    if (parser.ParseFromString(bytes, out)) return true;
    *error = "malformed text-format schedule: " + errors.text();
    return false;
  }
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

bool read_file(const std::string& path, std::string* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

bool load_schedule(const std::string& path, pb::Schedule* out, std::string* error) {
  std::string bytes;
  if (!read_file(path, &bytes, error)) return false;
  if (!parse_schedule(bytes, out, error)) {
    *error = path + ": " + *error;
    return false;
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
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    *error = "cannot rename " + temporary + " to " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace dcfuzz
