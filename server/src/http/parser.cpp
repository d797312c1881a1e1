#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "http/request_parser.h"

namespace veza::http::transport {

void RequestParser::on_request_impl(boost::beast::http::verb, string_view method, string_view target,
                                    int version, error_code& ec) {
  req_.method.assign(method.data(), method.size());
  req_.target.assign(target.data(), target.size());
  version_ = version;
  ec = {};
}

void RequestParser::on_field_impl(boost::beast::http::field, string_view name, string_view value,
                                  error_code& ec) {
  req_.headers.Add(std::string_view(name.data(), name.size()), std::string(value.data(), value.size()));
  ec = {};
}

void RequestParser::on_body_init_impl(boost::optional<std::uint64_t> const& length, error_code& ec) {
  // The transport checked the length against the route limit before reading the body.
  if (length && fd_ < 0) req_.body.reserve(static_cast<size_t>(*length));
  ec = {};
}

std::size_t RequestParser::on_body_impl(string_view body, error_code& ec) { return Append(body, ec); }

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) {
  return Append(body, ec);
}

std::size_t RequestParser::Append(string_view data, error_code& ec) {
  ec = {};
  if (fd_ < 0) {
    req_.body.append(data.data(), data.size());
  } else {
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      // Page-cache writes; the spool directory is expected to be local disk.
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        sink_failed_ = true;
        ec = std::make_error_code(std::errc::io_error);
        return 0;
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
  req_.body_size += data.size();
  return data.size();
}

}  // namespace veza::http::transport
