#pragma once
/// GET /api/v1/users/me, PATCH /api/v1/users/me, GET /api/v1/users/{username}.

#include <string>

#include "http/router.h"
#include "users/user_service.h"

namespace veza::users {

void RegisterUserRoutes(http::Router& router, UserService& service);

/// The JSON text of a user as `visibility` allows (kSelf adds email and account fields).
std::string EncodeUserJson(const User& user, Visibility visibility);

}  // namespace veza::users
