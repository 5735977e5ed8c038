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
/// path, reason), what Sluice would otherwise serve wrongly: every field Tyk would apply that Sluice does not
/// implement yet (the field table, TykFieldPolicy.h: authentication, IP lists, endpoint rules, limits,
/// transforms, versioning, ...), and https upstreams.
std::optional<ApiDefinition> parseApiDefinition(const std::string & text, const std::string & file);

}
