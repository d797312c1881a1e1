#include "app/components.h"

namespace veza::app {

// Each capability adds one line here: its routes on `router`, its job handlers on
// `components.job_handlers`.
void WireDomains(Components& components, http::Router& router) {
  RegisterIdentityRoutes(router, components.config, *components.identity);
  if (components.identity->delivery) {
    components.job_handlers.emplace_back(
        "mail.deliver", [&d = *components.identity->delivery](const jobs::Job& job) { return d.HandleJob(job); });
  }
}

}  // namespace veza::app
