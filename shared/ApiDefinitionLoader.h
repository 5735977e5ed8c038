#pragma once

#include "shared/Config.h"

#include <string>
#include <vector>

namespace sluice
{

/// Loads the API definitions of `app_path` as Tyk does (its FromDir): every regular `*.json` file
/// directly in it, in lexical order, skipping `*-oas.json` and `*-mcp.json`; `env://NAME` expanded in the
/// raw text first. Skipped definitions (inactive, internal) are left out. Refuses a duplicate api_id and two
/// APIs on the same listen path (same domain too, when `custom_domains` is on): Tyk would silently rename
/// one, which leaves it unreachable.
std::vector<ApiDefinition> loadApiDefinitions(const std::string & app_path, bool custom_domains,
                                              const Environment & env);

}
