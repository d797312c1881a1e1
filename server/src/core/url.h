#pragma once
/// RFC 3986 percent-encoding: the one encoder every module uses (URLs, S3 signing, otpauth URIs,
/// Content-Disposition file names, form bodies).

#include <string>
#include <string_view>

namespace veza {

/// Keeps the unreserved characters (ALPHA DIGIT - . _ ~) and, when `keep_slash`, '/'; encodes every
/// other byte as %XX with upper-case hex (the form SigV4 requires).
std::string PercentEncode(std::string_view text, bool keep_slash = false);

}  // namespace veza
