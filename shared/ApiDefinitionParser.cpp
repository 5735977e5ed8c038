#include "shared/ApiDefinitionParser.h"

#include "shared/CleanPath.h"
#include "shared/JsonFields.h"
#include "shared/TykFieldPolicy.h"
#include "shared/UpstreamTarget.h"

#include <Poco/String.h>

#include <stdexcept>

namespace sluice
{

namespace
{

const char * const kNoDefaultVersion = "No default API version for this non-versioned API found";

/// Tyk's GetAPIDomain: domain_disabled drops the domain, so the API answers on any host.
std::string readDomain(const JsonFields & def)
{
    std::string domain = def.getString("domain").value_or("");
    return def.getBool("domain_disabled").value_or(false) ? "" : domain;
}

std::string checkedApiId(const JsonFields & def)
{
    std::string id = def.getString("api_id").value_or("");
    if (id.empty())
        def.fail("api_id", "is missing or empty");
    if (id == "." || id == ".." || id.find_first_of("/\\") != std::string::npos)
        def.fail("api_id", "\"" + id + "\" is not a valid API id (no '/', '\\', \".\" or \"..\")");
    return id;
}

/// Tyk's version check for a non-versioned API (versioned ones are refused by the field table): the 403 text
/// every request will get when no version is served, or "" when the API is servable.
std::string versionError(const JsonFields & def)
{
    std::optional<JsonFields> data = def.getObject("version_data");
    if (!data)
        return ""; /// Sluice: no version_data means "not versioned" (Tyk would answer 403)
    if (std::optional<JsonFields> versions = data->getObject("versions"))
        for (const std::string & name : versions->keys())
            versions->getObject(name); /// each version must be an object, as Go's decoder insists
    return servedVersion(*data) ? "" : kNoDefaultVersion;
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
    api.domain = readDomain(def);
    refuseActiveApiFields(def);
    api.version_error = versionError(def);
    readProxy(def, api);
    return api;
}

}
