#pragma once
/// Wiring: config → components → routes, in one place. No globals; everything is owned here.

#include <memory>

#include "app/config.h"
#include "core/result.h"

namespace veza::app {

/// `veza serve`: opens the database (migrating when configured), object storage, builds the router
/// and serves until SIGTERM/SIGINT. Returns the process exit code.
int Serve(const Config& config);

/// `veza worker`: runs background jobs only, until SIGTERM/SIGINT lets running jobs finish.
int Work(const Config& config);

/// `veza migrate [--status]`.
int MigrateCommand(const Config& config, bool status_only);

}  // namespace veza::app
