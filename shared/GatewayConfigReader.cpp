#include "shared/GatewayConfigReader.h"

#include "shared/EnvOverrides.h"
#include "shared/GatewayKeys.h"
#include "shared/TykFieldPolicy.h"

#include <Poco/String.h>

#include <algorithm>
#include <filesystem>
#include <limits>

namespace sluice
{

namespace
{

const char * const kEnvironment = "environment";

template <typename T>
T zeroMeans(std::optional<T> value, T fallback)
{
    return !value || *value == 0 ? fallback : *value;
}

/// Tyk's kvStore for `secret`: "env://name" reads TYK_SECRET_<NAME>. Unlike Tyk, a missing or empty variable
/// is an error: an empty secret would leave the control API open.
std::string resolveSecret(const GatewayKeys & keys, const Environment & env)
{
    std::string secret = keys.string("secret", "SECRET").value_or("");
    static const std::string kEnvScheme = "env://";
    if (Poco::startsWith(secret, kEnvScheme))
    {
        std::string variable = "TYK_SECRET_" + Poco::toUpper(secret.substr(kEnvScheme.size()));
        std::optional<std::string> value = lookupEnv(env, variable);
        if (!value || value->empty())
            keys.fail("secret", "SECRET", "environment variable " + variable + " is not set or empty");
        return *value;
    }
    for (const std::string scheme : {"secrets://", "consul://", "vault://"})
        if (Poco::startsWith(secret, scheme))
            keys.fail("secret", "SECRET", scheme + " references are not supported; use env://");
    return secret;
}

/// "" -> the working directory; relative -> relative to the working directory (Tyk); must be a directory.
std::string resolveAppPath(const GatewayKeys & keys)
{
    std::string app_path = keys.string("app_path", "APPPATH").value_or("");
    std::error_code ec;
    std::filesystem::path path = std::filesystem::absolute(app_path.empty() ? "." : app_path, ec);
    if (ec)
        keys.fail("app_path", "APPPATH", "cannot resolve \"" + app_path + "\": " + ec.message());
    std::string resolved = path.lexically_normal().string();
    while (resolved.size() > 1 && resolved.back() == '/')
        resolved.pop_back();

    std::filesystem::file_status status = std::filesystem::status(resolved, ec);
    if (status.type() == std::filesystem::file_type::not_found)
        keys.fail("app_path", "APPPATH", "directory \"" + resolved + "\" does not exist");
    if (ec)
        keys.fail("app_path", "APPPATH", "cannot access \"" + resolved + "\": " + ec.message());
    if (status.type() != std::filesystem::file_type::directory)
        keys.fail("app_path", "APPPATH", "\"" + resolved + "\" is not a directory");
    return resolved;
}

/// log_level is lower-cased as Tyk does; TYK_LOGLEVEL, when non-empty, replaces it. Unlike Tyk (which
/// falls back to info), an unknown TYK_LOGLEVEL is refused too: a typo should not go unnoticed.
std::string resolveLogLevel(const GatewayKeys & keys, const Environment & env)
{
    auto valid = [](const std::string & level) {
        return level == "debug" || level == "info" || level == "warn" || level == "error";
    };
    std::string level = Poco::toLower(keys.string("log_level", "LOGLEVEL").value_or(""));
    if (std::optional<std::string> forced = lookupEnv(env, "TYK_LOGLEVEL"); forced && !forced->empty())
    {
        if (!valid(Poco::toLower(*forced)))
            throw ConfigError(kEnvironment, "TYK_LOGLEVEL", "expected debug, info, warn or error, got \"" + *forced + "\"");
        return Poco::toLower(*forced);
    }
    if (level.empty())
        return "info";
    if (!valid(level))
        keys.fail("log_level", "LOGLEVEL", "expected debug, info, warn or error, got \"" + level + "\"");
    return level;
}

HttpServerOptions readHttpServerOptions(const GatewayKeys & keys)
{
    HttpServerOptions http;
    http.read_timeout_s = static_cast<int>(
        zeroMeans<int64_t>(keys.integer("http_server_options.read_timeout", "HTTPSERVEROPTIONS_READTIMEOUT", 0), 120));
    http.write_timeout_s = static_cast<int>(
        zeroMeans<int64_t>(keys.integer("http_server_options.write_timeout", "HTTPSERVEROPTIONS_WRITETIMEOUT", 0), 120));
    http.flush_interval_ms = static_cast<int>(
        keys.integer("http_server_options.flush_interval", "HTTPSERVEROPTIONS_FLUSHINTERVAL", 0).value_or(0));
    http.enable_websockets
        = keys.boolean("http_server_options.enable_websockets", "HTTPSERVEROPTIONS_ENABLEWEBSOCKETS").value_or(false);
    http.enable_strict_routes
        = keys.boolean("http_server_options.enable_strict_routes", "HTTPSERVEROPTIONS_ENABLESTRICTROUTES").value_or(false);
    http.skip_url_cleaning
        = keys.boolean("http_server_options.skip_url_cleaning", "HTTPSERVEROPTIONS_SKIPURLCLEANING").value_or(false);
    http.max_request_body_size = keys.integer("http_server_options.max_request_body_size",
                                              "HTTPSERVEROPTIONS_MAXREQUESTBODYSIZE", 0,
                                              std::numeric_limits<int64_t>::max())
                                     .value_or(0);
    return http;
}

}

GatewayConfig readGatewayConfig(const JsonFields & file, const Environment & env)
{
    GatewayKeys keys(file, env);
    GatewayConfig gw;
    gw.source_file = file.file();
    gw.listen_address = keys.string("listen_address", "LISTENADDRESS").value_or("");
    gw.listen_port = static_cast<int>(keys.integer("listen_port", "LISTENPORT", 0, 65535).value_or(0));
    gw.secret = resolveSecret(keys, env);
    gw.app_path = resolveAppPath(keys);
    gw.hostname = keys.string("hostname", "HOSTNAME").value_or("");
    gw.enable_custom_domains = keys.boolean("enable_custom_domains", "ENABLECUSTOMDOMAINS").value_or(false);
    gw.http = readHttpServerOptions(keys);
    gw.proxy_default_timeout_s = zeroMeans(keys.number("proxy_default_timeout", "PROXYDEFAULTTIMEOUT"), 30.0);
    gw.proxy_close_connections = keys.boolean("proxy_close_connections", "PROXYCLOSECONNECTIONS").value_or(false);
    gw.max_idle_connections_per_host = static_cast<int>(
        zeroMeans<int64_t>(keys.integer("max_idle_connections_per_host", "MAXIDLECONNSPERHOST", 0), 2));
    gw.close_connections = keys.boolean("close_connections", "CLOSECONNECTIONS").value_or(false);
    gw.hide_generator_header = keys.boolean("hide_generator_header", "HIDEGENERATORHEADER").value_or(false);
    gw.log_level = resolveLogLevel(keys, env);
    gw.health_check_endpoint_name
        = keys.string("health_check_endpoint_name", "HEALTHCHECKENDPOINTNAME").value_or("");
    if (gw.health_check_endpoint_name.empty())
        gw.health_check_endpoint_name = "hello";
    gw.readiness_check_endpoint_name
        = keys.string("readiness_check_endpoint_name", "READINESSCHECKENDPOINTNAME").value_or("");
    if (gw.readiness_check_endpoint_name.empty())
        gw.readiness_check_endpoint_name = "ready";
    gw.graceful_shutdown_timeout_s = static_cast<int>(zeroMeans<int64_t>(
        keys.integer("graceful_shutdown_timeout_duration", "GRACEFULSHUTDOWNTIMEOUTDURATION", 0), 30));
    refuseActiveGatewayFields(keys);
    return gw;
}

}
