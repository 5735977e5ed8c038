#pragma once

#include "shared/Config.h"

#include <cstdint>
#include <optional>
#include <string>

/// Reading environment values the way Tyk does (kelseyhightower/envconfig over Go's strconv), so that a
/// TYK_GW_* variable means the same thing to Sluice as to Tyk. Each parser returns nullopt when Go would fail.
namespace sluice
{

/// The environment variable prefix for gateway overrides: "TYK_GW_" + Go field name in upper case.
inline constexpr const char * kGatewayEnvPrefix = "TYK_GW_";

/// The value of `name` if it is set (even to ""), else nullopt.
std::optional<std::string> lookupEnv(const Environment & env, const std::string & name);

/// Go strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
std::optional<bool> parseGoBool(const std::string & text);

/// Go strconv.ParseInt(text, 0, 64): optional sign, 0x / 0o / 0b prefixes, a leading 0 means octal,
/// '_' allowed between digits.
std::optional<int64_t> parseGoInt(const std::string & text);

/// Go strconv.ParseFloat(text, 64) for decimal notation; infinities and NaN are refused (no timeout
/// can sensibly be either).
std::optional<double> parseGoFloat(const std::string & text);

/// Tyk's API definition loader: replaces each "env://NAME" (NAME = [A-Za-z0-9_]+) in the raw text by the
/// value of NAME when that is set and non-empty; other references stay as written.
std::string expandEnvReferences(const std::string & text, const Environment & env);

}
