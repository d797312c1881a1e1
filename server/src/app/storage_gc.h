#pragma once
/// `veza admin storage gc [--apply] [--min-age SECONDS]`: finds objects nothing owns, by the key
/// conventions of the domains (tracks/<id>/…, users/<id>/…), and deletes them with --apply.

#include <cstdint>
#include <string>
#include <vector>

#include "app/components.h"
#include "core/result.h"

namespace veza::app {

struct GcReport {
  std::vector<storage::ObjectInfo> orphans;  // deleted when applied
  uint64_t orphan_bytes = 0;
  int64_t examined = 0;        // objects under the known prefixes
  int64_t too_young = 0;       // orphans left alone because they are newer than min_age
  int64_t other_prefixes = 0;  // objects outside the known prefixes, never touched
  int64_t deleted = 0;
  std::vector<std::string> failures;  // keys whose deletion failed
};

/// Lists every object, asks each domain which of its objects it does not own, and (when `apply`)
/// deletes those older than `min_age_ms` (younger ones may belong to an upload in flight, which stores
/// its objects before the row that owns them).
Result<GcReport> CollectGarbage(Components& components, bool apply, int64_t min_age_ms);

/// The CLI: prints the orphans and what they free; returns the exit code.
int StorageCommand(std::vector<std::string> args);

}  // namespace veza::app
