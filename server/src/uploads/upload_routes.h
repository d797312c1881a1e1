#pragma once
/// tus 1.0.0 endpoints at /api/v1/uploads (core, creation, creation-with-upload, termination, checksum,
/// expiration) for signed-in users.

#include "http/router.h"
#include "uploads/upload_service.h"

namespace veza::uploads {

void RegisterUploadRoutes(http::Router& router, UploadService& service);

}  // namespace veza::uploads
