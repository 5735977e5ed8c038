#pragma once

#include "shared/Config.h"

#include <optional>
#include <string>

namespace sluice
{

/// Parses one classic Tyk API definition (`text` is the file content after env:// expansion; `file` its
/// path, for errors and ApiDefinition::source_file). Returns nullopt for a definition Sluice skips:
/// `active: false` (a documented difference: Tyk ignores the flag) or `internal: true` (never routed); of a
/// skipped definition only the JSON and those two flags are checked. Refuses, with ConfigError(file, key
/// path, reason), what Sluice would otherwise serve wrongly: authentication (anything but use_keyless),
/// rate limits, versioning, https upstreams, non-HTTP protocols and per-API ports.
std::optional<ApiDefinition> parseApiDefinition(const std::string & text, const std::string & file);

}
