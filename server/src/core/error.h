#pragma once
/// Expected failures as values: a small code enum, a human message, per-field problems.

#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace veza {

/// The error classes the API distinguishes; each maps to exactly one HTTP status (see http/errors.h).
enum class ErrorCode {
  kBadRequest,            // 400 malformed input (bad JSON, bad query string)
  kUnauthenticated,       // 401
  kForbidden,             // 403
  kNotFound,              // 404
  kMethodNotAllowed,      // 405
  kConflict,              // 409
  kPayloadTooLarge,       // 413
  kUnsupportedMediaType,  // 415
  kValidation,            // 422 wrong types, missing or invalid fields
  kHeaderTooLarge,        // 431
  kRateLimited,           // 429
  kUnavailable,           // 503 a dependency is down
  kInternal,              // 500 never carries internal detail to the client
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  /// Machine-readable snake_case code for the envelope; empty means "derive from `code`".
  std::string slug;
  /// A human sentence safe to show to the client.
  std::string message;
  /// Field name (dotted path for nested JSON) → what is wrong with it.
  std::map<std::string, std::string> fields;
  /// Internal detail for logs only (SQL error text, errno, path); never sent to clients.
  std::string detail;
  /// Seconds the client should wait (429, 503); 0 means no Retry-After header.
  int retry_after_s = 0;
};

/// Default snake_case slug for a code, used when Error::slug is empty.
std::string_view DefaultSlug(ErrorCode code);

inline Error MakeError(ErrorCode code, std::string message, std::string slug = {}) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  e.slug = std::move(slug);
  return e;
}

inline Error NotFound(std::string message = "Not found.") {
  return MakeError(ErrorCode::kNotFound, std::move(message));
}
inline Error BadRequest(std::string message, std::string slug = {}) {
  return MakeError(ErrorCode::kBadRequest, std::move(message), std::move(slug));
}
inline Error Internal(std::string detail) {
  Error e = MakeError(ErrorCode::kInternal, "Something went wrong on our side.");
  e.detail = std::move(detail);
  return e;
}
inline Error Unavailable(std::string message, std::string detail = {}, int retry_after_s = 5) {
  Error e = MakeError(ErrorCode::kUnavailable, std::move(message));
  e.detail = std::move(detail);
  e.retry_after_s = retry_after_s;
  return e;
}
/// A 422 with one or more field problems.
inline Error Validation(std::map<std::string, std::string> fields,
                        std::string message = "Some fields are invalid.") {
  Error e = MakeError(ErrorCode::kValidation, std::move(message));
  e.fields = std::move(fields);
  return e;
}

}  // namespace veza
