#include "storage/object_store.h"

#include <cstdio>
#include <fstream>

#include "core/ids.h"

namespace veza::storage {

std::optional<OwnedKey> SplitOwnedKey(std::string_view key, std::string_view prefix) {
  if (!key.starts_with(prefix)) return std::nullopt;
  std::string_view rest = key.substr(prefix.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto id = ParseId(rest.substr(0, slash));
  if (!id) return std::nullopt;
  return OwnedKey{*id, rest.substr(slash + 1)};
}

Status CopyToFile(ObjectStore& store, std::string_view key, const std::string& path, uint64_t chunk_bytes) {
  VEZA_ASSIGN_OR_RETURN(ObjectInfo info, store.Stat(key));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Internal("cannot open " + path + " for writing");
  for (uint64_t offset = 0; offset < info.size; offset += chunk_bytes) {
    auto chunk = store.GetBytes(key, {.offset = offset, .length = chunk_bytes});
    if (!chunk.ok()) {
      out.close();
      std::remove(path.c_str());
      return chunk.error();
    }
    out.write(chunk->data(), static_cast<std::streamsize>(chunk->size()));
  }
  out.close();
  if (!out) {
    std::remove(path.c_str());
    return Internal("cannot write " + path);
  }
  return Ok();
}

}  // namespace veza::storage
