#include "uploads/upload_store.h"

namespace veza::uploads {

namespace {

constexpr const char* kColumns =
    "id, user_id, length, upload_offset, metadata, file_name, file_type, created_at, updated_at, expires_at";

constexpr const char* kInsert =
    "INSERT INTO uploads (id, user_id, length, upload_offset, metadata, file_name, file_type, created_at, "
    "updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
constexpr const char* kAdvance =
    "UPDATE uploads SET upload_offset = $3, updated_at = $4, expires_at = $5 WHERE id = $1 AND upload_offset "
    "= $2";
constexpr const char* kDelete = "DELETE FROM uploads WHERE id = $1";
constexpr const char* kReserved = "SELECT COALESCE(SUM(length), 0) FROM uploads WHERE user_id = $1";
constexpr const char* kExpired = "SELECT id FROM uploads WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2";
constexpr const char* kExists = "SELECT 1 FROM uploads WHERE id = $1";

Upload FromRow(const db::Row& r) {
  return Upload{.id = r.Int(0),
                .user_id = r.Int(1),
                .length = r.Int(2),
                .offset = r.Int(3),
                .metadata = r.Text(4),
                .file_name = r.Text(5),
                .file_type = r.Text(6),
                .created_ms = r.Int(7),
                .updated_ms = r.Int(8),
                .expires_ms = r.Int(9)};
}

}  // namespace

Status UploadStore::Insert(db::Session& s, const Upload& u) {
  VEZA_TRY(s.Execute(kInsert, {u.id, u.user_id, u.length, u.offset, u.metadata, u.file_name, u.file_type,
                               u.created_ms, u.updated_ms, u.expires_ms}));
  return Ok();
}

Result<std::optional<Upload>> UploadStore::Get(db::Session& s, int64_t id) {
  VEZA_ASSIGN_OR_RETURN(auto row,
                        s.QueryOne(std::string("SELECT ") + kColumns + " FROM uploads WHERE id = $1", {id}));
  if (!row) return std::optional<Upload>();
  return std::optional<Upload>(FromRow(*row));
}

Result<int64_t> UploadStore::Advance(db::Session& s, int64_t id, int64_t expected, int64_t offset,
                                     int64_t now_ms, int64_t expires_ms) {
  return s.Execute(kAdvance, {id, expected, offset, now_ms, expires_ms});
}

Result<int64_t> UploadStore::Delete(db::Session& s, int64_t id) {
  return s.Execute(kDelete, {id});
}

Result<int64_t> UploadStore::ReservedBytes(db::Session& s, int64_t user_id) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne(kReserved, {user_id}));
  return row ? row->Int(0) : int64_t{0};
}

Result<std::vector<int64_t>> UploadStore::Expired(db::Session& s, int64_t now_ms, int limit) {
  VEZA_ASSIGN_OR_RETURN(auto result, s.Query(kExpired, {now_ms, static_cast<int64_t>(limit)}));
  std::vector<int64_t> ids;
  for (const auto& r : result.rows) ids.push_back(r.Int(0));
  return ids;
}

Result<bool> UploadStore::Exists(db::Session& s, int64_t id) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne(kExists, {id}));
  return row.has_value();
}

}  // namespace veza::uploads
