#pragma once
/// Validation and normalisation of track metadata, shared by uploads and edits. Std only.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tracks/track.h"

namespace veza::tracks {

inline constexpr size_t kMaxTitle = 200;
inline constexpr size_t kMaxDescription = 5000;
inline constexpr size_t kMaxGenre = 100;
inline constexpr size_t kMaxTags = 20;
inline constexpr size_t kMaxTagLength = 50;
inline constexpr size_t kMaxLyrics = 20000;

bool IsVisibility(std::string_view v);
bool IsLicence(std::string_view v);

/// Trimmed, lowercased, inner whitespace collapsed, duplicates and empties dropped. Errors name `tags`.
Result<std::vector<std::string>> NormaliseTags(const std::vector<std::string>& tags);

/// True when the lyrics carry LRC time tags ([mm:ss.xx]); then every non-empty line must be a valid
/// time-tagged or ID-tag line, otherwise an error naming `lyrics`. Plain lyrics → false.
Result<bool> ValidateLyrics(std::string_view lyrics);

/// "CC-XXX-YY-NNNNN" with or without hyphens, any case → 12 upper-case characters.
Result<std::string> NormaliseIsrc(std::string_view isrc);

/// A calendar date YYYY-MM-DD.
bool IsValidDate(std::string_view date);

/// Applies `input` to `track`, validating every field present; one 422 naming every bad field.
/// `creating` requires a title.
Status ApplyInput(const TrackInput& input, Track& track, bool creating);

/// Number of UTF-8 code points.
size_t Utf8Length(std::string_view s);

}  // namespace veza::tracks
