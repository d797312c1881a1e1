#pragma once
/// GET /api/v1/auth/2fa, POST /api/v1/auth/2fa/{setup,enable,disable}.

#include "auth/totp_service.h"
#include "http/router.h"

namespace veza::auth {

void RegisterTotpRoutes(http::Router& router, TotpService& service);

}  // namespace veza::auth
