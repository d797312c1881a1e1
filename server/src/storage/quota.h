#pragma once
/// The per-user storage quota's refusal, shared by every way bytes come in (multipart and resumable
/// uploads), so clients read one kind of 413.

#include <cstdint>

#include "core/error.h"

namespace veza::storage {

/// 413 `quota_exceeded` naming what is used, what is left and what the file needs, with the byte counts
/// in `error.fields` (used_bytes, left_bytes, quota_bytes, file).
Error QuotaExceeded(int64_t used, int64_t quota, int64_t incoming);

}  // namespace veza::storage
