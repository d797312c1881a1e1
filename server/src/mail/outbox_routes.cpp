#include "mail/outbox_routes.h"

#include <cstdlib>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json.h"
#include "mail/mailer.h"

namespace veza::mail {
namespace {

namespace bj = json::bj;
using http::Request;
using http::Response;

Response Fail(const Error& error, const Request& req) { return Response::FromError(error, req.request_id); }

Status RequireAdmin(const Request& req) {
  if (!req.principal) return MakeError(ErrorCode::kUnauthenticated, "Sign in first.", "unauthenticated");
  if (req.principal->role != "admin") return MakeError(ErrorCode::kForbidden, "Admins only.", "forbidden");
  return Ok();
}

bj::object Encode(const OutboxEntry& e, bool with_bodies) {
  bj::object o{{"id", IdToString(e.id)},
               {"to", e.to},
               {"template", e.template_name},
               {"language", e.language},
               {"subject", e.subject},
               {"status", e.status},
               {"attempts", e.attempts},
               {"last_error", e.last_error.empty() ? bj::value(nullptr) : bj::value(e.last_error)},
               {"created_at", FormatRfc3339(e.created_at)},
               {"sent_at", e.sent_at ? bj::value(FormatRfc3339(e.sent_at)) : bj::value(nullptr)}};
  if (with_bodies) {
    o["text"] = e.text;
    o["html"] = e.html;
  }
  return o;
}

Result<int> LimitOf(const Request& req) {
  auto text = req.QueryParam("limit");
  if (!text) return 50;
  char* end = nullptr;
  long v = std::strtol(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || v < 1 || v > 200) {
    Error e = BadRequest("limit must be an integer from 1 to 200.", "invalid_query");
    e.fields = {{"limit", "An integer from 1 to 200."}};
    return e;
  }
  return static_cast<int>(v);
}

Result<std::string> StatusOf(const Request& req) {
  std::string status = req.QueryParam("status").value_or("");
  if (!status.empty() && status != "pending" && status != "sent" && status != "failed") {
    Error e = BadRequest("status must be pending, sent or failed.", "invalid_query");
    e.fields = {{"status", "One of pending, sent, failed."}};
    return e;
  }
  return status;
}

}  // namespace

void RegisterOutboxRoutes(http::Router& router, db::Database& database) {
  router.Get("/api/v1/admin/outbox", [&database](Request& req) {
    if (Status s = RequireAdmin(req); !s.ok()) return Fail(s.error(), req);
    auto limit = LimitOf(req);
    if (!limit.ok()) return Fail(limit.error(), req);
    auto status = StatusOf(req);
    if (!status.ok()) return Fail(status.error(), req);
    auto entries = ListOutbox(database, *limit, *status);
    if (!entries.ok()) return Fail(entries.error(), req);
    bj::array items;
    for (const auto& e : *entries) items.push_back(Encode(e, false));
    return Response::Json(200, json::Serialize(bj::object{{"items", std::move(items)}}));
  });

  router.Get("/api/v1/admin/outbox/{id}", [&database](Request& req) {
    if (Status s = RequireAdmin(req); !s.ok()) return Fail(s.error(), req);
    auto id = ParseId(req.Param("id"));
    if (!id) return Fail(NotFound("No such outbox entry."), req);
    auto entry = GetOutboxEntry(database, *id);
    if (!entry.ok()) return Fail(entry.error(), req);
    if (!*entry) return Fail(NotFound("No such outbox entry."), req);
    return Response::Json(200, json::Serialize(Encode(**entry, true)));
  });
}

}  // namespace veza::mail
