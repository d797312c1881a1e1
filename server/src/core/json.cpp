#include "core/json.h"

#include <algorithm>
#include <cmath>

namespace veza::json {

namespace {

// Boost.JSON reports failures as an offset; people want a line and column.
std::pair<size_t, size_t> LineColumn(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') { ++line; column = 1; } else { ++column; }
  }
  return {line, column};
}

std::string Trim(std::string_view s) {
  auto is_space = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// Counts code points, not bytes, so length limits mean what users think they mean.
size_t Utf8Length(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

Result<bj::value> Parse(std::string_view text) {
  if (text.empty()) return BadRequest("The request body is empty; a JSON document was expected.", "invalid_json");
  bj::stream_parser parser;
  boost::system::error_code ec;
  size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (!ec && consumed != text.size()) ec = bj::error::extra_data;
  if (ec) {
    auto [line, column] = LineColumn(text, consumed);
    return BadRequest("Malformed JSON at line " + std::to_string(line) + ", column " +
                          std::to_string(column) + ": " + ec.message() + ".",
                      "invalid_json");
  }
  return parser.release();
}

Result<bj::object> ParseObject(std::string_view text) {
  VEZA_ASSIGN_OR_RETURN(bj::value value, Parse(text));
  if (!value.is_object()) {
    return Validation({{"body", "must be a JSON object"}}, "The request body must be a JSON object.");
  }
  return std::move(value.as_object());
}

std::string Serialize(const bj::value& value) { return bj::serialize(value); }

ObjectReader::ObjectReader(const bj::object& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)) {}

std::string ObjectReader::Path(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

void ObjectReader::Fail(std::string_view key, std::string message) {
  fields_.emplace(Path(key), std::move(message));
}

const bj::value* ObjectReader::Find(std::string_view key, bool required) {
  const bj::value* v = object_.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) Fail(key, "is required");
    return nullptr;
  }
  return v;
}

std::optional<std::string> ObjectReader::OptionalString(std::string_view key, StringRules rules) {
  const bj::value* v = Find(key, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    Fail(key, "must be a string");
    return std::nullopt;
  }
  std::string s = rules.trim ? Trim(v->as_string()) : std::string(v->as_string());
  size_t len = Utf8Length(s);
  if (len < rules.min_len) {
    Fail(key, rules.min_len == 1 ? "must not be empty"
                                 : "must be at least " + std::to_string(rules.min_len) + " characters");
    return std::nullopt;
  }
  if (len > rules.max_len) {
    Fail(key, "must be at most " + std::to_string(rules.max_len) + " characters");
    return std::nullopt;
  }
  return s;
}

std::string ObjectReader::RequiredString(std::string_view key, StringRules rules) {
  if (Find(key, true) == nullptr) return {};
  return OptionalString(key, rules).value_or(std::string());
}

std::optional<int64_t> ObjectReader::OptionalInt(std::string_view key, IntRules rules) {
  const bj::value* v = Find(key, false);
  if (v == nullptr) return std::nullopt;
  int64_t n = 0;
  if (v->is_int64()) {
    n = v->as_int64();
  } else if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    n = static_cast<int64_t>(v->as_uint64());
  } else if (v->is_double() && std::trunc(v->as_double()) == v->as_double() &&
             std::fabs(v->as_double()) < 9.0e15) {
    n = static_cast<int64_t>(v->as_double());
  } else {
    Fail(key, "must be an integer");
    return std::nullopt;
  }
  if (n < rules.min || n > rules.max) {
    Fail(key, "must be between " + std::to_string(rules.min) + " and " + std::to_string(rules.max));
    return std::nullopt;
  }
  return n;
}

int64_t ObjectReader::RequiredInt(std::string_view key, IntRules rules) {
  if (Find(key, true) == nullptr) return 0;
  return OptionalInt(key, rules).value_or(0);
}

std::optional<double> ObjectReader::OptionalDouble(std::string_view key, double min, double max) {
  const bj::value* v = Find(key, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) {
    Fail(key, "must be a number");
    return std::nullopt;
  }
  double d = v->to_number<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "must be between %g and %g", min, max);
    Fail(key, buf);
    return std::nullopt;
  }
  return d;
}

std::optional<bool> ObjectReader::OptionalBool(std::string_view key) {
  const bj::value* v = Find(key, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    Fail(key, "must be true or false");
    return std::nullopt;
  }
  return v->as_bool();
}

bool ObjectReader::RequiredBool(std::string_view key) {
  if (Find(key, true) == nullptr) return false;
  return OptionalBool(key).value_or(false);
}

const bj::array* ObjectReader::OptionalArray(std::string_view key) {
  const bj::value* v = Find(key, false);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    Fail(key, "must be an array");
    return nullptr;
  }
  return &v->as_array();
}

const bj::object* ObjectReader::OptionalObject(std::string_view key) {
  const bj::value* v = Find(key, false);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    Fail(key, "must be an object");
    return nullptr;
  }
  return &v->as_object();
}

Status ObjectReader::Finish() const {
  if (fields_.empty()) return Ok();
  return Validation(fields_);
}

}  // namespace veza::json
