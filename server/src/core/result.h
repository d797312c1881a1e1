#pragma once
/// Result<T>: a value or an Error. Expected failures travel as values, never as exceptions.

#include <cassert>
#include <utility>
#include <variant>

#include "core/error.h"

namespace veza {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation with no value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { assert(!ok_); return error_; }
  Error&& error() && { assert(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return {}; }

}  // namespace veza

/// Propagates an error from an expression yielding a Result; evaluates to nothing.
#define VEZA_TRY(expr)                                  \
  do {                                                  \
    auto veza_try_result_ = (expr);                     \
    if (!veza_try_result_.ok()) return std::move(veza_try_result_).error(); \
  } while (0)

#define VEZA_CONCAT_INNER_(a, b) a##b
#define VEZA_CONCAT_(a, b) VEZA_CONCAT_INNER_(a, b)
/// `VEZA_ASSIGN_OR_RETURN(auto x, Compute());` binds the value or returns the error.
#define VEZA_ASSIGN_OR_RETURN(lhs, expr) \
  VEZA_ASSIGN_OR_RETURN_IMPL_(VEZA_CONCAT_(veza_result_, __LINE__), lhs, expr)
#define VEZA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).error();     \
  lhs = std::move(tmp).value()
