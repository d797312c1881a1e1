#include "uploads/upload_cleaner.h"

#include "core/log.h"

namespace veza::uploads {

UploadCleaner::UploadCleaner(UploadService& service, std::chrono::milliseconds interval)
    : service_(service), interval_(interval), thread_([this] { Loop(); }) {}

UploadCleaner::~UploadCleaner() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void UploadCleaner::Loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    auto removed = service_.CleanupExpired();
    if (!removed.ok()) {
      log::Warn(
          "upload cleanup failed; retrying at the next interval",
          {{"error", removed.error().detail.empty() ? removed.error().message : removed.error().detail}});
    }
    lock.lock();
  }
}

}  // namespace veza::uploads
