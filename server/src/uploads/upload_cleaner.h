#pragma once
/// Runs UploadService::CleanupExpired on a timer thread. A timer rather than a durable job: the partial
/// files live on the disk of the node that received them, so every node sweeps its own directory.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "uploads/upload_service.h"

namespace veza::uploads {

class UploadCleaner {
 public:
  UploadCleaner(UploadService& service, std::chrono::milliseconds interval);
  /// Stops and joins the thread.
  ~UploadCleaner();
  UploadCleaner(const UploadCleaner&) = delete;
  UploadCleaner& operator=(const UploadCleaner&) = delete;

 private:
  void Loop();

  UploadService& service_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace veza::uploads
