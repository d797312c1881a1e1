#include "http/response.h"

#include "core/json.h"

namespace veza::http {

int StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnsupportedMediaType: return 415;
    case ErrorCode::kValidation: return 422;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kHeaderTooLarge: return 431;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 460: return "Checksum Mismatch";  // tus checksum extension
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

Response Response::Json(int status, std::string json_body) {
  Response r;
  r.status = status;
  r.headers.Set("Content-Type", "application/json");
  r.body = std::move(json_body);
  return r;
}

Response Response::Text(int status, std::string text, std::string content_type) {
  Response r;
  r.status = status;
  r.headers.Set("Content-Type", std::move(content_type));
  r.body = std::move(text);
  return r;
}

Response Response::Empty(int status) {
  Response r;
  r.status = status;
  return r;
}

Response Response::FromError(const Error& error, std::string_view request_id) {
  json::bj::object inner;
  inner["code"] = error.slug.empty() ? DefaultSlug(error.code) : std::string_view(error.slug);
  // Internal errors never echo anything but the generic sentence.
  inner["message"] = error.code == ErrorCode::kInternal ? "Something went wrong on our side."
                                                          : std::string_view(error.message);
  if (!error.fields.empty()) {
    json::bj::object fields;
    for (const auto& [k, v] : error.fields) fields[k] = v;
    inner["fields"] = std::move(fields);
  }
  inner["request_id"] = request_id;
  json::bj::object envelope;
  envelope["error"] = std::move(inner);
  Response r = Json(StatusFor(error.code), json::Serialize(envelope));
  if (error.retry_after_s > 0) r.headers.Set("Retry-After", std::to_string(error.retry_after_s));
  return r;
}

}  // namespace veza::http
