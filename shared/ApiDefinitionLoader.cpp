#include "shared/ApiDefinitionLoader.h"

#include "shared/ApiDefinitionParser.h"
#include "shared/EnvOverrides.h"
#include "shared/ReadTextFile.h"

#include <Poco/String.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace sluice
{

namespace
{

std::vector<std::string> definitionFiles(const std::string & app_path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::directory_iterator it(app_path, ec);
    if (ec)
        throw ConfigError(app_path, "", "cannot list directory: " + ec.message());
    std::vector<std::string> names;
    for (; it != fs::directory_iterator(); it.increment(ec))
    {
        std::string name = it->path().filename().string();
        if (!Poco::endsWith(name, std::string(".json")) || Poco::endsWith(name, std::string("-oas.json"))
            || Poco::endsWith(name, std::string("-mcp.json")))
            continue;
        std::error_code type_ec;
        if (it->is_regular_file(type_ec)) /// follows symlinks; directories and dangling links are not definitions
            names.push_back(name);
    }
    if (ec)
        throw ConfigError(app_path, "", "cannot list directory: " + ec.message());
    std::sort(names.begin(), names.end()); /// byte order, like Go's filepath.Glob
    std::vector<std::string> paths;
    for (const std::string & name : names)
        paths.push_back((fs::path(app_path) / name).string());
    return paths;
}

std::string baseName(const std::string & path)
{
    return std::filesystem::path(path).filename().string();
}

/// Refuses a second API with the same api_id, or on the same route (domain + listen path).
void refuseDuplicates(const std::vector<ApiDefinition> & apis, bool custom_domains)
{
    std::map<std::string, const ApiDefinition *> by_id;
    std::map<std::pair<std::string, std::string>, const ApiDefinition *> by_route; /// (domain, listen path)
    for (const ApiDefinition & api : apis)
    {
        auto [id_it, id_new] = by_id.emplace(api.api_id, &api);
        if (!id_new)
            throw ConfigError(api.source_file, "api_id",
                              "\"" + api.api_id + "\" is already used by " + baseName(id_it->second->source_file));
        std::string domain = custom_domains ? api.domain : "";
        auto [route_it, route_new] = by_route.emplace(std::make_pair(domain, api.listen_path), &api);
        if (!route_new)
        {
            const ApiDefinition & first = *route_it->second;
            std::string where = domain.empty() ? "" : " on domain \"" + domain + "\"";
            throw ConfigError(api.source_file, "proxy.listen_path",
                              "\"" + api.listen_path + "\"" + where + " is already used by API \"" + first.api_id
                                  + "\" (" + baseName(first.source_file) + ")");
        }
    }
}

}

std::vector<ApiDefinition> loadApiDefinitions(const std::string & app_path, bool custom_domains,
                                              const Environment & env)
{
    std::vector<ApiDefinition> apis;
    for (const std::string & path : definitionFiles(app_path))
    {
        std::string text = expandEnvReferences(readTextFile(path), env);
        if (std::optional<ApiDefinition> api = parseApiDefinition(text, path))
            apis.push_back(std::move(*api));
    }
    refuseDuplicates(apis, custom_domains);
    return apis;
}

}
