#pragma once
/// GET /api/v1/users/me/export (a JSON attachment) and DELETE /api/v1/users/me {password}.

#include "http/router.h"
#include "users/account_service.h"

namespace veza::users {

void RegisterAccountRoutes(http::Router& router, AccountService& service, UserService& users);

}  // namespace veza::users
