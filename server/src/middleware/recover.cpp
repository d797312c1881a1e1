#include <exception>

#include "core/log.h"
#include "middleware/middleware.h"

namespace veza::middleware {

namespace {

http::Response Fail(const http::Request& req, std::string_view detail) {
  log::Error("unhandled exception in request", {{"request_id", req.request_id},
                                                {"method", req.method},
                                                {"route", req.route},
                                                {"path", req.path},
                                                {"detail", detail}});
  return http::Response::FromError(Internal(std::string(detail)), req.request_id);
}

}  // namespace

http::Middleware Recover() {
  return [](http::Request& req, const http::Handler& next) -> http::Response {
    try {
      return next(req);
    } catch (const std::exception& e) {
      return Fail(req, e.what());
    } catch (...) {
      return Fail(req, "non-standard exception");
    }
  };
}

}  // namespace veza::middleware
