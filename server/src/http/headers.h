#pragma once
/// Case-insensitive HTTP header list (order kept, duplicates allowed).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace veza::http {

bool IEquals(std::string_view a, std::string_view b);

class Headers {
 public:
  using Entry = std::pair<std::string, std::string>;

  /// First value of a header, if present.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  /// Replaces every value of `name` with one.
  void Set(std::string_view name, std::string value);
  /// Appends a value (Set-Cookie, Vary…).
  void Add(std::string_view name, std::string value);
  void Remove(std::string_view name);
  /// Drops every entry but keeps the storage (the transport reuses one Request per connection).
  void Clear() { entries_.clear(); }

  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

}  // namespace veza::http
