#pragma once
/// The admin API over the mail outbox: what `veza admin outbox` shows, for operators without a shell.

#include "db/session.h"
#include "http/router.h"

namespace veza::mail {

/// GET /api/v1/admin/outbox[?status=pending|sent|failed&limit=1..200] (newest first, bodies left out) and
/// GET /api/v1/admin/outbox/{id} (with the plain-text and HTML bodies). Admins only: 401 signed out, 403
/// for any other role.
void RegisterOutboxRoutes(http::Router& router, db::Database& database);

}  // namespace veza::mail
