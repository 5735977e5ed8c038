#include "shared/ApiDefinitionParser.h"

#include "shared/CleanPath.h"
#include "shared/JsonFields.h"
#include "shared/UpstreamTarget.h"

#include <Poco/String.h>

#include <stdexcept>

namespace sluice
{

namespace
{

const char * const kNoDefaultVersion = "No default API version for this non-versioned API found";

std::string checkedApiId(const JsonFields & def)
{
    std::string id = def.getString("api_id").value_or("");
    if (id.empty())
        def.fail("api_id", "is missing or empty");
    if (id == "." || id == ".." || id.find_first_of("/\\") != std::string::npos)
        def.fail("api_id", "\"" + id + "\" is not a valid API id (no '/', '\\', \".\" or \"..\")");
    return id;
}

/// Tyk falls back to token auth when use_keyless is false, so serving such an API open would be a hole.
void refuseAuthentication(const JsonFields & def)
{
    if (!def.getBool("use_keyless").value_or(false))
        def.fail("use_keyless", "authentication is not supported by Sluice (token/auth modes); set use_keyless: true"
                                " (refusing to serve this API open)");
}

void refuseUnsupportedFeatures(const JsonFields & def)
{
    bool rate_limit_off = def.getBool("disable_rate_limit").value_or(false);
    if (std::optional<JsonFields> limit = def.getObject("global_rate_limit"))
    {
        bool limit_disabled = limit->getBool("disabled").value_or(false);
        if (limit->getNumber("rate").value_or(0) > 0 && !limit_disabled && !rate_limit_off)
            def.fail("global_rate_limit", "rate limiting is not supported yet");
    }
    std::string protocol = Poco::toLower(def.getString("protocol").value_or(""));
    if (!protocol.empty() && protocol != "http")
        def.fail("protocol", "only HTTP APIs are supported, got \"" + protocol + "\"");
    if (def.getInt("listen_port").value_or(0) != 0)
        def.fail("listen_port", "per-API listen ports are not supported; the API would be served on the main port");
}

/// tyk-compat §3.5. Returns the 403 text every request will get, or "" when the API is servable.
std::string versionError(const JsonFields & def)
{
    std::optional<JsonFields> data = def.getObject("version_data");
    if (!data)
        return ""; /// Sluice: no version_data means "not versioned" (Tyk would answer 403)
    if (!data->getBool("not_versioned").value_or(false))
        data->fail("not_versioned", "versioned APIs are not supported yet");
    std::optional<JsonFields> versions = data->getObject("versions");
    if (!versions)
        return kNoDefaultVersion;
    std::vector<std::string> names = versions->keys();
    for (const std::string & name : names)
        versions->getObject(name); /// each version must be an object, as Go's decoder insists
    if (names.size() == 1)
        return "";
    for (const std::string & name : names)
        if (name == "Default" || name == "default" || name.empty())
            return "";
    return kNoDefaultVersion;
}

UpstreamTarget parseTarget(const JsonFields & proxy, const std::string & key, const std::string & url)
{
    try
    {
        return parseUpstreamTarget(url);
    }
    catch (const std::invalid_argument & e)
    {
        proxy.fail(key, e.what());
    }
}

/// enable_load_balancing + target_list: entries are trimmed and get "http://" when they have no scheme
/// (Tyk's EnsureTransport). The list is only used, and so only checked, with load balancing on.
std::vector<UpstreamTarget> readTargetList(const JsonFields & proxy)
{
    std::vector<std::string> list = proxy.getStringArray("target_list").value_or(std::vector<std::string>{});
    if (!proxy.getBool("enable_load_balancing").value_or(false))
        return {};
    if (list.empty())
        proxy.fail("target_list", "is empty while enable_load_balancing is true");
    std::vector<UpstreamTarget> targets;
    for (size_t i = 0; i < list.size(); ++i)
    {
        std::string entry = Poco::trim(list[i]);
        if (entry.find("://") == std::string::npos)
            entry = "http://" + entry;
        targets.push_back(parseTarget(proxy, "target_list[" + std::to_string(i) + "]", entry));
    }
    return targets;
}

void readProxy(const JsonFields & def, ApiDefinition & api)
{
    std::optional<JsonFields> section = def.getObject("proxy");
    JsonFields proxy = section ? *section : JsonFields::empty(def.file(), "proxy");

    std::string listen_path = proxy.getString("listen_path").value_or("");
    if (listen_path.empty())
        proxy.fail("listen_path", "is missing or empty");
    if (listen_path.find(' ') != std::string::npos)
        proxy.fail("listen_path", "\"" + listen_path + "\" contains spaces");
    /// Tyk matches a "{var}" segment against any one path segment; taken literally it would never match, and an
    /// API that silently never answers is worse than a refusal.
    if (listen_path.find('{') != std::string::npos)
        proxy.fail("listen_path", "\"" + listen_path + "\": path variables ({...}) are not supported yet");
    api.listen_path = cleanPath(listen_path); /// Tyk: leading '/', cleaned, trailing '/' kept
    api.strip_listen_path = proxy.getBool("strip_listen_path").value_or(false);
    api.disable_strip_slash = proxy.getBool("disable_strip_slash").value_or(false);
    api.preserve_host_header = proxy.getBool("preserve_host_header").value_or(false);

    std::string target_url = proxy.getString("target_url").value_or("");
    if (target_url.empty())
        proxy.fail("target_url", "is missing or empty");
    api.target = parseTarget(proxy, "target_url", target_url);
    api.target_list = readTargetList(proxy);
}

}

std::optional<ApiDefinition> parseApiDefinition(const std::string & text, const std::string & file)
{
    JsonFields def = JsonFields::parse(text, file);
    bool active = def.getBool("active").value_or(true);
    bool internal = def.getBool("internal").value_or(false);
    if (!active || internal)
        return std::nullopt;

    ApiDefinition api;
    api.source_file = file;
    api.raw_json = text;
    api.name = def.getString("name").value_or("");
    api.api_id = checkedApiId(def);
    api.org_id = def.getString("org_id").value_or("");
    api.domain = def.getString("domain").value_or("");
    refuseAuthentication(def);
    refuseUnsupportedFeatures(def);
    api.version_error = versionError(def);
    readProxy(def, api);
    return api;
}

}
