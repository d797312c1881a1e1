#include "app/components.h"

namespace veza::app {

// Each capability adds one line here: its routes on `router`, its job handlers on
// `components.job_handlers`.
void WireDomains(Components& components, http::Router& router) {
  (void)components;
  (void)router;
}

}  // namespace veza::app
