#pragma once

#include "shared/Config.h"
#include "shared/JsonFields.h"

namespace sluice
{

/// Reads Tyk's gateway keys from `file` and the TYK_GW_* overrides in `env`, which win. Applies Tyk's runtime
/// fallbacks for 0/missing values (read/write timeout 120, proxy timeout 30, ...), resolves `secret: env://X`
/// and app_path (relative to the working directory, must exist), refuses the keys Tyk would apply that Sluice
/// does not implement yet (the field table, TykFieldPolicy.h), and validates every value where it came from:
/// errors name the file and key, or "environment" and the variable.
/// `file` is an empty object under TYK_GW_OMITCONFIGFILE. The "sluice" object is not read here.
GatewayConfig readGatewayConfig(const JsonFields & file, const Environment & env);

}
