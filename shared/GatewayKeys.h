#pragma once

#include "shared/Config.h"
#include "shared/JsonFields.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

namespace sluice
{

/// Tyk's gateway keys as Go fills them: the file is decoded first (a wrong JSON type is fatal even when a
/// variable overrides the key), then TYK_GW_<field>, when set (even to "": envconfig), replaces the value.
/// Range checks apply to the final value and blame whichever source supplied it. `path` is the JSON key path
/// ("http_server_options.read_timeout", one level of nesting at most), `field` the Go field path that names
/// the variable ("HTTPSERVEROPTIONS_READTIMEOUT").
class GatewayKeys
{
public:
    GatewayKeys(const JsonFields & file, const Environment & env) : file_(file), env_(env) {}

    std::optional<std::string> string(const std::string & path, const std::string & field) const;
    std::optional<bool> boolean(const std::string & path, const std::string & field) const;
    std::optional<int64_t> integer(const std::string & path, const std::string & field, int64_t min,
                                   int64_t max = std::numeric_limits<int>::max()) const;
    /// A Go float64 key that must not be negative (the only kind Tyk's keys need).
    std::optional<double> number(const std::string & path, const std::string & field) const;
    /// An object-valued key, from the file only (Tyk's variables cannot express these maps).
    std::optional<JsonFields> object(const std::string & path) const;

    /// Blames whichever source supplied the value: the variable if it is set, else the file key.
    [[noreturn]] void fail(const std::string & path, const std::string & field, const std::string & reason) const;

    const JsonFields & file() const { return file_; }

private:
    template <typename T, typename Parse>
    std::optional<T> read(const std::string & path, const std::string & field,
                          std::optional<T> (JsonFields::*from_file)(const std::string &) const, const char * expected,
                          Parse from_env) const;

    std::optional<std::string> envValue(const std::string & field) const;

    /// The object holding the last segment of `path`.
    std::pair<JsonFields, std::string> locate(const std::string & path) const;

    const JsonFields & file_;
    const Environment & env_;
};

}
