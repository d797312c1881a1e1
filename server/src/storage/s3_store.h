#pragma once
/// Objects in an S3-compatible bucket (AWS, MinIO, Ceph), over libcurl with SigV4 signing.

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "storage/object_store.h"

namespace veza::storage {

struct S3Config {
  /// "http(s)://host[:port]", no path: the S3 API root (MinIO "http://127.0.0.1:9000", AWS
  /// "https://s3.eu-west-3.amazonaws.com").
  std::string endpoint;
  std::string region = "us-east-1";
  std::string bucket;
  std::string access_key;
  std::string secret_key;
  /// endpoint/bucket/key (MinIO, s3rver, Ceph) rather than bucket.endpoint/key (AWS virtual hosts).
  bool path_style = true;
  /// PutFile sends files at least this large as a multipart upload.
  uint64_t multipart_threshold = 64ull << 20;
  /// Bytes per part; S3 wants at least 5 MiB for every part but the last, and at most 10,000 parts.
  uint64_t part_size = 16ull << 20;
  int connect_timeout_ms = 5'000;
  /// Whole-request limit for requests without a large body (HEAD, DELETE, list, small PUT/GET).
  int request_timeout_ms = 30'000;
  /// Large transfers (file uploads, parts, reads) have no total limit; they fail when slower than
  /// 1 KiB/s for this long.
  int stall_timeout_s = 30;
  /// Validity of presigned URLs when the caller asks for none (<= 0); S3 allows up to 7 days.
  int presign_expiry_s = 900;
};

class S3ObjectStore final : public ObjectStore {
 public:
  /// Checks the config (kValidation with the offending field); does not contact the server. `clock` signs
  /// presigned URLs and must outlive the store.
  static Result<std::unique_ptr<S3ObjectStore>> Open(S3Config config, const Clock& clock);
  ~S3ObjectStore() override;

  Status PutBytes(std::string_view key, std::string_view bytes) override;
  /// A single PUT below multipart_threshold; above it a multipart upload, aborted on any failure.
  Status PutFile(std::string_view key, const std::string& path) override;
  /// Ranges past the end yield "" as with local files.
  Result<std::string> GetBytes(std::string_view key, ByteRange range = {}) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  Status Delete(std::string_view key) override;
  /// Every object under `prefix`, in key order (ListObjectsV2, following continuation tokens).
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  std::optional<std::string> LocalPath(std::string_view) const override { return std::nullopt; }
  std::optional<std::string> PresignGet(std::string_view key, int expires_s) const override;
  /// "s3:<endpoint>/<bucket>".
  std::string Describe() const override;

  /// As List, with at most `page_size` keys a request (tests force continuation with a small one).
  Result<std::vector<ObjectInfo>> ListPaged(std::string_view prefix, int page_size);

 private:
  struct Impl;
  explicit S3ObjectStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace veza::storage
