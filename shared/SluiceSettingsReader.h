#pragma once

#include "shared/Config.h"
#include "shared/JsonFields.h"

#include <optional>

namespace sluice
{

/// Reads Sluice's own top-level "sluice" object (nullopt = absent: every default). Keys match
/// case-insensitively like Tyk's, but an unknown key is an error: this namespace is ours, so an unknown key
/// is a typo. worker_processes "auto" (or absent) resolves to the online CPU count, drain_timeout defaults
/// to `graceful_shutdown_timeout_s`; max_streams_per_worker stays 0 when absent (the worker derives it).
/// log_file and access_log_file become absolute paths (relative = to the working directory); their directory
/// must exist.
SluiceSettings readSluiceSettings(const std::optional<JsonFields> & sluice, int graceful_shutdown_timeout_s);

}
