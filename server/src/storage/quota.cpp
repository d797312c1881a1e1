#include "storage/quota.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace veza::storage {
namespace {

std::string GiB(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return buf;
}

}  // namespace

Error QuotaExceeded(int64_t used, int64_t quota, int64_t incoming) {
  const int64_t left = std::max<int64_t>(0, quota - used);
  Error e = MakeError(ErrorCode::kPayloadTooLarge,
                      "Storage quota exceeded: " + GiB(used) + " used of " + GiB(quota) + ", " + GiB(left) +
                          " left; this file needs " + GiB(incoming) + ".",
                      "quota_exceeded");
  e.fields = {
      {"used_bytes", std::to_string(used)},
      {"left_bytes", std::to_string(left)},
      {"quota_bytes", std::to_string(quota)},
      {"file", "The file is " + std::to_string(incoming) + " bytes; " + std::to_string(left) + " left."}};
  return e;
}

}  // namespace veza::storage
