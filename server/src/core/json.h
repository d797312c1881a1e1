#pragma once
/// JSON helpers over Boost.JSON. Include only from .cpp files (routes, transport, tests):
/// domain headers stay free of JSON types.

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace veza::json {

namespace bj = boost::json;

/// Parses a request body. Malformed JSON → 400 `invalid_json` whose message says where (line, column).
/// A body that is not an object → 422 when `require_object`.
Result<bj::value> Parse(std::string_view text);
Result<bj::object> ParseObject(std::string_view text);

/// Serialises a value compactly.
std::string Serialize(const bj::value& value);

struct StringRules {
  size_t min_len = 0;
  size_t max_len = 10'000;
  bool trim = true;
};

struct IntRules {
  int64_t min = INT64_MIN;
  int64_t max = INT64_MAX;
};

/// Reads typed fields out of a JSON object, collecting every problem so one 422 names them all.
///
///   json::ObjectReader r(obj);
///   auto email = r.RequiredString("email", {.max_len = 254});
///   auto limit = r.OptionalInt("limit", {.min = 1, .max = 100});
///   VEZA_TRY(r.Finish());
class ObjectReader {
 public:
  explicit ObjectReader(const bj::object& object, std::string prefix = {});

  std::string RequiredString(std::string_view key, StringRules rules = {});
  std::optional<std::string> OptionalString(std::string_view key, StringRules rules = {});
  int64_t RequiredInt(std::string_view key, IntRules rules = {});
  std::optional<int64_t> OptionalInt(std::string_view key, IntRules rules = {});
  std::optional<double> OptionalDouble(std::string_view key, double min, double max);
  std::optional<bool> OptionalBool(std::string_view key);
  bool RequiredBool(std::string_view key);
  /// Present and an array (elements are the caller's to check); nullopt when absent or null.
  const bj::array* OptionalArray(std::string_view key);
  const bj::object* OptionalObject(std::string_view key);

  /// Adds a problem found by the caller's own rule.
  void Fail(std::string_view key, std::string message);
  bool HasErrors() const { return !fields_.empty(); }
  /// OK, or a 422 naming every bad field.
  Status Finish() const;

 private:
  const bj::value* Find(std::string_view key, bool required);
  std::string Path(std::string_view key) const;

  const bj::object& object_;
  std::string prefix_;
  std::map<std::string, std::string> fields_;
};

}  // namespace veza::json
