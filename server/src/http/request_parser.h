#pragma once
// Internal to the transport: a Beast basic_parser that writes straight into an http::Request,
// so header fields are copied once and bodies go to memory or a spool file without a second buffer.

#include <cstdint>
#include <string>

#include <boost/beast/http/basic_parser.hpp>

#include "http/request.h"

namespace veza::http::transport {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  explicit RequestParser(Request& req) : req_(req) {}

  /// Where the body goes: `fd` >= 0 spools to that file, otherwise it is appended to req.body.
  void SetBodyFile(int fd) { fd_ = fd; }
  int version() const { return version_; }
  bool sink_failed() const { return sink_failed_; }

 private:
  void on_request_impl(boost::beast::http::verb, string_view method, string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code& ec) override { ec = {}; }
  void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code& ec) override;
  void on_header_impl(error_code& ec) override { ec = {}; }
  void on_body_init_impl(boost::optional<std::uint64_t> const& length, error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code& ec) override { ec = {}; }
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override { ec = {}; }

  std::size_t Append(string_view data, error_code& ec);

  Request& req_;
  int fd_ = -1;
  int version_ = 11;
  bool sink_failed_ = false;
};

}  // namespace veza::http::transport
