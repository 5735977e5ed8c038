#pragma once

#include "shared/GatewayKeys.h"
#include "shared/JsonFields.h"

#include <optional>
#include <string>
#include <vector>

/// What Sluice does with each field of Tyk's gateway config and of a classic API definition. The rule: a field
/// that restricts, redirects or changes traffic is either implemented with Tyk's semantics or refused at load
/// whenever Tyk would apply it, so an API is never served more openly than its definition says. The whole
/// classification is one table (tykFields()); the readers apply its refusals, the tests walk it, and
/// docs/tyk-fields.md lists it for operators.
namespace sluice
{

/// Where a field lives, and so what its path is relative to.
enum class FieldLevel
{
    Gateway,  /// tyk.conf, from the top level ("http_server_options.use_ssl")
    Api,      /// the API definition, from the top level ("proxy.transport.proxy_url")
    Version,  /// the version Tyk serves, version_data.versions.<name> ("global_headers")
    Endpoint, /// that version's extended_paths, read only with use_extended_paths: true ("black_list")
};

enum class Verdict
{
    Implemented,       /// Sluice honours it as Tyk does; `note` says where
    RefusedWhenActive, /// not implemented yet: refused whenever Tyk would apply it; `note` is the refusal reason
    Ignorable,         /// cannot loosen or change traffic while Sluice lacks what it serves; `note` says why
};

/// What an API-level rule looks at. `version` is the version Tyk serves (null for Api-level fields, or when no
/// version is served); `extended_paths` is its extended_paths, set only for Endpoint-level fields.
struct ApiScope
{
    const JsonFields & def;
    const JsonFields * version = nullptr;
    const JsonFields * extended_paths = nullptr;
};

/// The key path ("version_data.versions.Default.extended_paths.black_list[0]") of what makes the field
/// active, or nullopt when Tyk would not apply it to this definition.
using ApiRule = std::optional<std::string> (*)(const ApiScope & scope);
/// True when Tyk would apply the field with this gateway config (file and TYK_GW_* variables).
using GatewayRule = bool (*)(const GatewayKeys & keys);

struct TykField
{
    FieldLevel level;
    /// Dotted key path relative to the level's object. An entry also covers the keys under it that have no
    /// entry of their own ("CORS" covers "CORS.max_age").
    const char * path;
    Verdict verdict;
    /// Implemented: where Sluice honours it. RefusedWhenActive: the refusal reason shown to the operator; it
    /// names what is missing and never suggests a change that would weaken protection. Ignorable: why.
    const char * note;
    ApiRule api_rule = nullptr;         /// RefusedWhenActive at the Api, Version and Endpoint levels
    GatewayRule gateway_rule = nullptr; /// RefusedWhenActive at the Gateway level
    /// Gateway level: the Go field path naming the TYK_GW_ variable ("CONTROLAPIPORT"), "" for none.
    const char * env = "";
};

/// The table, kept in one file per part: API-level fields (TykApiFields.cpp), version and endpoint fields
/// (TykVersionFields.cpp), tyk.conf fields (TykGatewayFields.cpp).
const std::vector<TykField> & tykApiFields();
const std::vector<TykField> & tykVersionFields();
const std::vector<TykField> & tykGatewayFields();
/// Every classified field: the three parts above, in that order.
const std::vector<TykField> & tykFields();

/// The entry that classifies `path` at `level`: its own, else the nearest one above it; null if none.
const TykField * findTykField(FieldLevel level, const std::string & path);

/// Throws ConfigError(file, key path, reason) for the first RefusedWhenActive field of `def` that Tyk would
/// apply: API-level fields, then those of the version Tyk serves (see servedVersion()).
void refuseActiveApiFields(const JsonFields & def);

/// The same for tyk.conf; a value set by a TYK_GW_ variable is blamed on the variable.
void refuseActiveGatewayFields(const GatewayKeys & keys);

/// The version a non-versioned API serves, as Tyk picks it: the only one, else the one named "Default",
/// "default" or "" (in that order). nullopt when version_data has no such version, or no versions at all.
std::optional<JsonFields> servedVersion(const JsonFields & version_data);

}
