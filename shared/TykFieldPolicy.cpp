#include "shared/TykFieldPolicy.h"

#include "shared/TykFieldRules.h"

namespace sluice
{

namespace
{

/// Throws for the first RefusedWhenActive entry of `level` whose rule finds it active in `scope`.
void refuseFirstActive(FieldLevel level, const ApiScope & scope)
{
    for (const TykField & field : tykFields())
    {
        if (field.level != level || field.verdict != Verdict::RefusedWhenActive)
            continue;
        if (std::optional<std::string> key = field.api_rule(scope))
            throw ConfigError(scope.def.file(), *key, field.note);
    }
}

}

const std::vector<TykField> & tykFields()
{
    static const std::vector<TykField> all = [] {
        std::vector<TykField> fields;
        for (const std::vector<TykField> * part : {&tykApiFields(), &tykVersionFields(), &tykGatewayFields()})
            fields.insert(fields.end(), part->begin(), part->end());
        return fields;
    }();
    return all;
}

const TykField * findTykField(FieldLevel level, const std::string & path)
{
    for (std::string prefix = path;;)
    {
        for (const TykField & field : tykFields())
            if (field.level == level && prefix == field.path)
                return &field;
        size_t dot = prefix.rfind('.');
        if (dot == std::string::npos)
            return nullptr;
        prefix.resize(dot);
    }
}

std::optional<JsonFields> servedVersion(const JsonFields & version_data)
{
    std::optional<JsonFields> versions = version_data.getObject("versions");
    if (!versions)
        return std::nullopt;
    std::vector<std::string> names = versions->keys();
    if (names.size() == 1)
        return versions->getObject(names.front());
    for (const char * name : {"Default", "default", ""})
        for (const std::string & present : names)
            if (present == name) /// Go map lookups are exact
                return versions->getObject(present);
    return std::nullopt;
}

void refuseActiveApiFields(const JsonFields & def)
{
    refuseFirstActive(FieldLevel::Api, ApiScope{def});
    std::optional<JsonFields> data = def.getObject("version_data");
    std::optional<JsonFields> version = data ? servedVersion(*data) : std::nullopt;
    if (!version)
        return; /// nothing is served from version_data, so none of its rules apply
    refuseFirstActive(FieldLevel::Version, ApiScope{def, &*version});
    if (!version->getBool("use_extended_paths").value_or(false))
        return; /// Tyk compiles extended_paths only with use_extended_paths
    JsonFields extended_paths = rules::section(*version, "extended_paths");
    refuseFirstActive(FieldLevel::Endpoint, ApiScope{def, &*version, &extended_paths});
}

void refuseActiveGatewayFields(const GatewayKeys & keys)
{
    for (const TykField & field : tykGatewayFields())
        if (field.verdict == Verdict::RefusedWhenActive && field.gateway_rule(keys))
            keys.fail(field.path, field.env, field.note);
}

}
