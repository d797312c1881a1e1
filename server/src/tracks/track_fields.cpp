#include "tracks/track_fields.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "media/key.h"

namespace veza::tracks {

namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// [mm:ss], [mm:ss.x], [mm:ss.xx], [mm:ss.xxx]; minutes may have more digits.
bool IsTimeTag(std::string_view tag) {
  size_t colon = tag.find(':');
  if (colon == std::string_view::npos || !IsDigits(tag.substr(0, colon))) return false;
  std::string_view rest = tag.substr(colon + 1);
  size_t dot = rest.find_first_of(".:");
  std::string_view secs = rest.substr(0, dot);
  if (secs.size() != 2 || !IsDigits(secs) || (secs[0] - '0') > 5) return false;
  if (dot == std::string_view::npos) return true;
  std::string_view frac = rest.substr(dot + 1);
  return IsDigits(frac) && frac.size() <= 3;
}

bool IsIdTag(std::string_view tag) {
  static constexpr std::array<std::string_view, 10> kIds = {"ar",     "al",     "ti", "au", "by",
                                                            "length", "offset", "re", "ve", "#"};
  size_t colon = tag.find(':');
  if (colon == std::string_view::npos) return false;
  std::string name(tag.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kIds.begin(), kIds.end(), name) != kIds.end();
}

bool StartsWithTimeTag(std::string_view line) {
  if (line.empty() || line.front() != '[') return false;
  size_t close = line.find(']');
  return close != std::string_view::npos && IsTimeTag(line.substr(1, close - 1));
}

std::string ReplaceWith(Nullable<std::string> const& v) {
  return v && *v ? Trim(**v) : std::string();
}

}  // namespace

size_t Utf8Length(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

bool IsVisibility(std::string_view v) {
  return v == "public" || v == "unlisted" || v == "private";
}

bool IsLicence(std::string_view v) {
  static constexpr std::array<std::string_view, 8> kLicences = {
      "all_rights_reserved", "cc_by",       "cc_by_sa", "cc_by_nd", "cc_by_nc",
      "cc_by_nc_sa",         "cc_by_nc_nd", "cc0"};
  return std::find(kLicences.begin(), kLicences.end(), v) != kLicences.end();
}

Result<std::vector<std::string>> NormaliseTags(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& raw : tags) {
    std::string tag;
    bool space = false;
    for (char c : Trim(raw)) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        space = true;
        continue;
      }
      if (space && !tag.empty()) tag.push_back(' ');
      space = false;
      tag.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (tag.empty()) continue;
    if (Utf8Length(tag) > kMaxTagLength) return Validation({{"tags", "Each tag is at most 50 characters."}});
    if (std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(std::move(tag));
  }
  if (out.size() > kMaxTags) return Validation({{"tags", "At most 20 tags."}});
  return out;
}

Result<bool> ValidateLyrics(std::string_view lyrics) {
  bool synced = false;
  size_t line_no = 0;
  std::string_view rest = lyrics;
  std::vector<std::string_view> lines;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (StartsWithTimeTag(line)) synced = true;
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  if (!synced) return false;
  for (std::string_view line : lines) {
    ++line_no;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    bool ok = false;
    if (line.front() == '[') {
      size_t close = line.find(']');
      if (close != std::string_view::npos) {
        std::string_view tag = line.substr(1, close - 1);
        if (IsTimeTag(tag)) {
          ok = true;
          // Further time tags on the same line (repeated choruses) must be valid too.
          std::string_view tail = line.substr(close + 1);
          while (ok && !tail.empty() && tail.front() == '[') {
            size_t c = tail.find(']');
            if (c == std::string_view::npos) break;
            std::string_view t = tail.substr(1, c - 1);
            if (t.find(':') == std::string_view::npos) break;
            ok = IsTimeTag(t);
            tail.remove_prefix(c + 1);
          }
        } else {
          ok = IsIdTag(tag) && Trim(line.substr(close + 1)).empty();
        }
      }
    }
    if (!ok) {
      return Validation({{"lyrics", "Synced lyrics: line " + std::to_string(line_no) +
                                        " has no valid [mm:ss.xx] time tag."}});
    }
  }
  return true;
}

Result<std::string> NormaliseIsrc(std::string_view isrc) {
  std::string s;
  for (char c : isrc) {
    if (c == '-' || c == ' ') continue;
    s.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  auto bad = [] { return Validation({{"isrc", "An ISRC looks like CC-XXX-YY-NNNNN (e.g. USRC17607839)."}}); };
  if (s.size() != 12) return bad();
  for (size_t i = 0; i < 12; ++i) {
    char c = s[i];
    bool alpha = c >= 'A' && c <= 'Z';
    bool digit = c >= '0' && c <= '9';
    if (i < 2 ? !alpha : i < 5 ? !(alpha || digit) : !digit) return bad();
  }
  return s;
}

bool IsValidDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  if (!IsDigits(d.substr(0, 4)) || !IsDigits(d.substr(5, 2)) || !IsDigits(d.substr(8, 2))) return false;
  int y = std::stoi(std::string(d.substr(0, 4)));
  int m = std::stoi(std::string(d.substr(5, 2)));
  int day = std::stoi(std::string(d.substr(8, 2)));
  if (y < 1000 || m < 1 || m > 12 || day < 1) return false;
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return day <= max;
}

Status ApplyInput(const TrackInput& in, Track& t, bool creating) {
  std::map<std::string, std::string> problems;
  auto fail = [&](const std::string& field, const Error& e) {
    auto it = e.fields.find(field);
    problems[field] = it != e.fields.end() ? it->second : e.message;
  };

  if (in.title) {
    std::string title = Trim(*in.title);
    if (title.empty())
      problems["title"] = "A title is required.";
    else if (Utf8Length(title) > kMaxTitle)
      problems["title"] = "At most 200 characters.";
    else
      t.title = std::move(title);
  } else if (creating && Trim(t.title).empty()) {
    problems["title"] = "A title is required.";
  }
  if (in.description) {
    std::string v = ReplaceWith(in.description);
    if (Utf8Length(v) > kMaxDescription)
      problems["description"] = "At most 5000 characters.";
    else
      t.description = std::move(v);
  }
  if (in.genre) {
    std::string v = ReplaceWith(in.genre);
    if (Utf8Length(v) > kMaxGenre)
      problems["genre"] = "At most 100 characters.";
    else
      t.genre = std::move(v);
  }
  if (in.tags) {
    auto tags = NormaliseTags(in.tags->value_or(std::vector<std::string>{}));
    if (tags.ok())
      t.tags = std::move(*tags);
    else
      fail("tags", tags.error());
  }
  if (in.bpm) {
    if (!*in.bpm) {
      t.bpm.reset();
    } else {
      auto bpm = media::ValidateBpm(**in.bpm, "bpm");
      if (bpm.ok())
        t.bpm = *bpm;
      else
        fail("bpm", bpm.error());
    }
  }
  if (in.musical_key) {
    std::string v = ReplaceWith(in.musical_key);
    if (v.empty()) {
      t.musical_key.clear();
    } else {
      auto key = media::ParseKey(v, "musical_key");
      if (key.ok())
        t.musical_key = media::KeyName(*key);
      else
        fail("musical_key", key.error());
    }
  }
  if (in.lyrics) {
    std::string v = in.lyrics->value_or("");
    if (Utf8Length(v) > kMaxLyrics) {
      problems["lyrics"] = "At most 20000 characters.";
    } else {
      auto synced = ValidateLyrics(v);
      if (synced.ok()) {
        t.lyrics = std::move(v);
        t.lyrics_synced = *synced;
      } else {
        fail("lyrics", synced.error());
      }
    }
  }
  if (in.visibility) {
    if (IsVisibility(*in.visibility))
      t.visibility = *in.visibility;
    else
      problems["visibility"] = "One of public, unlisted, private.";
  }
  if (in.downloadable) t.downloadable = *in.downloadable;
  if (in.licence) {
    if (IsLicence(*in.licence))
      t.licence = *in.licence;
    else
      problems["licence"] =
          "One of all_rights_reserved, cc_by, cc_by_sa, cc_by_nd, cc_by_nc, cc_by_nc_sa, cc_by_nc_nd, cc0.";
  }
  if (in.release_date) {
    std::string v = ReplaceWith(in.release_date);
    if (v.empty() || IsValidDate(v))
      t.release_date = std::move(v);
    else
      problems["release_date"] = "A date as YYYY-MM-DD.";
  }
  if (in.explicit_content) t.explicit_content = *in.explicit_content;
  if (in.isrc) {
    std::string v = ReplaceWith(in.isrc);
    if (v.empty()) {
      t.isrc.clear();
    } else {
      auto isrc = NormaliseIsrc(v);
      if (isrc.ok())
        t.isrc = *isrc;
      else
        fail("isrc", isrc.error());
    }
  }
  if (!problems.empty()) return Validation(std::move(problems));
  return Ok();
}

}  // namespace veza::tracks
