#include "shared/GatewayKeys.h"

#include "shared/EnvOverrides.h"

#include <sstream>

namespace sluice
{

namespace
{

const char * const kEnvironment = "environment";

}

template <typename T, typename Parse>
std::optional<T> GatewayKeys::read(const std::string & path, const std::string & field,
                                   std::optional<T> (JsonFields::*from_file)(const std::string &) const,
                                   const char * expected, Parse from_env) const
{
    auto [object, key] = locate(path);
    std::optional<T> value = (object.*from_file)(key);
    if (std::optional<std::string> text = envValue(field))
    {
        value = from_env(*text);
        if (!value)
            throw ConfigError(kEnvironment, kGatewayEnvPrefix + field,
                              std::string("expected ") + expected + ", got \"" + *text + "\"");
    }
    return value;
}

std::optional<std::string> GatewayKeys::string(const std::string & path, const std::string & field) const
{
    return read(path, field, &JsonFields::getString, "a string",
                [](const std::string & text) { return std::optional<std::string>(text); });
}

std::optional<bool> GatewayKeys::boolean(const std::string & path, const std::string & field) const
{
    return read(path, field, &JsonFields::getBool, "a boolean", parseGoBool);
}

std::optional<int64_t> GatewayKeys::integer(const std::string & path, const std::string & field, int64_t min,
                                            int64_t max) const
{
    std::optional<int64_t> value = read(path, field, &JsonFields::getInt, "an integer", parseGoInt);
    if (value && (*value < min || *value > max))
        fail(path, field, rangeReason(min, max, *value));
    return value;
}

std::optional<double> GatewayKeys::number(const std::string & path, const std::string & field) const
{
    std::optional<double> value = read(path, field, &JsonFields::getNumber, "a number", parseGoFloat);
    if (value && *value < 0)
    {
        std::ostringstream reason;
        reason << "must not be negative, got " << *value;
        fail(path, field, reason.str());
    }
    return value;
}

std::optional<JsonFields> GatewayKeys::object(const std::string & path) const
{
    auto [object, key] = locate(path);
    return object.getObject(key);
}

void GatewayKeys::fail(const std::string & path, const std::string & field, const std::string & reason) const
{
    if (!field.empty() && envValue(field))
        throw ConfigError(kEnvironment, kGatewayEnvPrefix + field, reason);
    auto [object, key] = locate(path);
    object.fail(key, reason);
}

std::optional<std::string> GatewayKeys::envValue(const std::string & field) const
{
    return lookupEnv(env_, kGatewayEnvPrefix + field);
}

std::pair<JsonFields, std::string> GatewayKeys::locate(const std::string & path) const
{
    size_t dot = path.find('.');
    if (dot == std::string::npos)
        return {file_, path};
    std::string section = path.substr(0, dot);
    std::optional<JsonFields> object = file_.getObject(section);
    return {object ? *object : JsonFields::empty(file_.file(), section), path.substr(dot + 1)};
}

}
