#pragma once

#include "shared/Config.h"

#include <string>

namespace sluice
{

/// Parses an upstream URL from an API definition ("http://127.0.0.1:8000/base?k=1").
/// Accepted schemes: http, and ws (treated as http, as Tyk does). https/wss, other schemes, credentials,
/// a missing host, a bad port or whitespace/control characters throw std::invalid_argument with the reason;
/// the caller turns it into a ConfigError naming the key. The fragment is dropped.
UpstreamTarget parseUpstreamTarget(const std::string & url);

}
