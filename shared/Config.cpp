#include "shared/Config.h"

#include "shared/ApiDefinitionLoader.h"
#include "shared/EnvOverrides.h"
#include "shared/GatewayConfigReader.h"
#include "shared/JsonFields.h"
#include "shared/ReadTextFile.h"
#include "shared/SluiceSettingsReader.h"

#include <unistd.h>

#include <filesystem>

namespace sluice
{

namespace
{

std::string describeError(const std::string & file, const std::string & key, const std::string & reason)
{
    return key.empty() ? file + ": " + reason : file + ": " + key + ": " + reason;
}

/// TYK_GW_OMITCONFIGFILE: Tyk then never reads the file, so its Tyk keys are ignored.
bool omitConfigFile(const Environment & env)
{
    std::string name = std::string(kGatewayEnvPrefix) + "OMITCONFIGFILE";
    std::optional<std::string> text = lookupEnv(env, name);
    if (!text)
        return false;
    std::optional<bool> omit = parseGoBool(*text);
    if (!omit)
        throw ConfigError("environment", name, "expected a boolean, got \"" + *text + "\"");
    return *omit;
}

}

ConfigError::ConfigError(std::string file, std::string key, std::string reason)
    : std::runtime_error(describeError(file, key, reason))
    , file_(std::move(file))
    , key_(std::move(key))
    , reason_(std::move(reason))
{
}

Environment currentEnvironment()
{
    Environment env;
    for (char ** entry = environ; entry && *entry; ++entry)
    {
        std::string line(*entry);
        size_t eq = line.find('=');
        if (eq != std::string::npos)
            env.emplace(line.substr(0, eq), line.substr(eq + 1));
    }
    return env;
}

PlanPtr loadPlan(const std::string & conf_path, const Environment & env)
{
    bool omit = omitConfigFile(env);
    /// Under TYK_GW_OMITCONFIGFILE the file is still read when it exists, for its "sluice" object.
    std::error_code ec;
    bool absent = omit && !std::filesystem::exists(conf_path, ec) && !ec;
    JsonFields file = JsonFields::parse(absent ? "{}" : readTextFile(conf_path), conf_path);

    auto plan = std::make_shared<Plan>();
    plan->gateway = readGatewayConfig(omit ? JsonFields::empty(conf_path, "") : file, env);
    plan->gateway.sluice = readSluiceSettings(file.getObject("sluice"), plan->gateway.graceful_shutdown_timeout_s);
    plan->apis = loadApiDefinitions(plan->gateway.app_path, plan->gateway.enable_custom_domains, env);
    return plan;
}

}
