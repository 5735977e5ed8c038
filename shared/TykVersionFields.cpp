#include "shared/TykFieldPolicy.h"

#include "shared/TykFieldRules.h"

#include <Poco/Dynamic/Var.h>

namespace sluice
{

namespace
{

using rules::Active;
using rules::ignorable;
using rules::implemented;
using rules::refused;

constexpr FieldLevel kVersion = FieldLevel::Version;
constexpr FieldLevel kEndpoint = FieldLevel::Endpoint;

const char * const kRequestHeaders = "request header transforms are not supported yet";
const char * const kResponseHeaders = "response header transforms are not supported yet";
const char * const kBodyTransforms = "body transforms are not supported yet";
const char * const kSizeLimits = "request size limits are not supported yet (Tyk answers 400 or 411 beyond them)";
const char * const kCache = "response caching is not supported yet";
const char * const kValidation = "request validation is not supported yet (Tyk rejects requests that fail it)";

bool flag(const JsonFields & object, const char * key)
{
    return object.getBool(key).value_or(false);
}

/// The legacy string lists are compiled only without use_extended_paths; they match any method.
Active legacyList(const ApiScope & s, const char * list)
{
    if (flag(*s.version, "use_extended_paths"))
        return std::nullopt;
    return rules::whenNonEmptyStrings(rules::section(*s.version, "paths"), list);
}

/// A version-level map or list, unless its *_disabled switch is set.
Active unlessDisabled(const ApiScope & s, const char * switch_key, Active set)
{
    return flag(*s.version, switch_key) ? std::nullopt : set;
}

/// Tyk loads the size-limit middleware for an enabled global limit or for any enabled size_limits entry; once
/// loaded, it applies a global limit above 0 even when global_size_limit_disabled is set.
Active globalSizeLimit(const ApiScope & s)
{
    if (s.version->getInt("global_size_limit").value_or(0) <= 0)
        return std::nullopt;
    bool loaded = !flag(*s.version, "global_size_limit_disabled")
        || (flag(*s.version, "use_extended_paths")
            && rules::firstEntry(rules::section(*s.version, "extended_paths"), "size_limits", rules::notDisabled));
    return loaded ? Active(s.version->keyPath("global_size_limit")) : std::nullopt;
}

/// A duration Tyk reads as a number of seconds or a Go duration string; 0 and "" mean none.
Active globalEnforceTimeout(const ApiScope & s)
{
    if (flag(*s.version, "global_enforce_timeout_disabled"))
        return std::nullopt;
    Poco::Dynamic::Var value = s.version->getValue("global_enforce_timeout");
    bool set = false;
    if (value.isString())
        set = !value.extract<std::string>().empty() && value.extract<std::string>() != "0";
    else if (value.isNumeric() && value.type() != typeid(bool))
        set = value.convert<double>() > 0;
    return set ? Active(s.version->keyPath("global_enforce_timeout")) : std::nullopt;
}

/// method_actions replaces `method`: {} never matches; any action other than no_action replies or rejects.
bool hasMethodActions(const JsonFields & entry)
{
    std::optional<JsonFields> actions = entry.getObject("method_actions");
    return actions && !actions->keys().empty();
}

bool ignoredEntryActs(const JsonFields & entry)
{
    if (!rules::notDisabled(entry) || !hasMethodActions(entry))
        return false;
    JsonFields actions = *entry.getObject("method_actions");
    for (const std::string & method : actions.keys())
        if (rules::section(actions, method).getString("action").value_or("") != "no_action")
            return true;
    return false;
}

/// A black_list entry rejects its path for any method, or for the methods of a non-empty method_actions.
bool blackListEntryActs(const JsonFields & entry)
{
    return rules::notDisabled(entry) && (!entry.getObject("method_actions") || hasMethodActions(entry));
}

/// Tyk's HeaderInjectionMeta.Enabled: something to add or delete.
bool headerEntryActs(const JsonFields & entry)
{
    if (!rules::notDisabledWithMethod(entry))
        return false;
    std::optional<JsonFields> add = entry.getObject("add_headers");
    std::optional<std::vector<std::string>> remove = entry.getStringArray("delete_headers");
    return (add && !add->keys().empty()) || (remove && !remove->empty());
}

/// Tyk's RateLimitMeta.Valid plus "a rate of 0 or less means unlimited".
bool rateLimitEntryActs(const JsonFields & entry)
{
    return rules::notDisabledWithMethod(entry) && entry.getNumber("rate").value_or(0) > 0
        && entry.getNumber("per").value_or(0) > 0;
}

/// validate_request is switched on by `enabled`, not off by `disabled`.
bool validateRequestEntryActs(const JsonFields & entry)
{
    return entry.getBool("enabled").value_or(false) && !entry.getString("method").value_or("").empty();
}

/// Types without a `disabled` switch (transform_jq*, persist_graphql) still need a method to match.
bool entryWithMethod(const JsonFields & entry)
{
    return !entry.getString("method").value_or("").empty();
}

Active endpoints(const ApiScope & s, const char * list, bool (*applies)(const JsonFields &))
{
    return rules::firstEntry(*s.extended_paths, list, applies);
}

}

const std::vector<TykField> & tykVersionFields()
{
    static const std::vector<TykField> fields = {
        // The version Tyk serves (version_data.versions.<name>).
        ignorable(kVersion, "name", "a label"),
        implemented(kVersion, "use_extended_paths", "chooses extended_paths or the legacy paths lists, as Tyk"
                                                    " does (refuseActiveApiFields)"),
        refused(kVersion, "expires", "version expiry is not supported yet (Tyk sends X-Tyk-Api-Expires, then answers"
                                     " 403 after the date)",
                [](const ApiScope & s) { return rules::whenExpiry(*s.version, "expires"); }),
        ignorable(kVersion, "paths.ignored", "skips authentication and key limits, which Sluice does not have"),
        refused(kVersion, "paths.white_list", "white lists are not supported yet (Tyk answers 403 to every other path)",
                [](const ApiScope & s) { return legacyList(s, "white_list"); }),
        refused(kVersion, "paths.black_list", "black lists are not supported yet (Tyk answers 403 to the listed paths)",
                [](const ApiScope & s) { return legacyList(s, "black_list"); }),
        refused(kVersion, "global_headers", kRequestHeaders,
                [](const ApiScope & s) {
                    return unlessDisabled(s, "global_headers_disabled",
                                          rules::whenNonEmptyObject(*s.version, "global_headers"));
                }),
        refused(kVersion, "global_headers_remove", kRequestHeaders,
                [](const ApiScope & s) {
                    return unlessDisabled(s, "global_headers_disabled",
                                          rules::whenNonEmptyStrings(*s.version, "global_headers_remove"));
                }),
        ignorable(kVersion, "global_headers_disabled", "a switch read by the global_headers rules"),
        refused(kVersion, "global_response_headers", kResponseHeaders,
                [](const ApiScope & s) {
                    return unlessDisabled(s, "global_response_headers_disabled",
                                          rules::whenNonEmptyObject(*s.version, "global_response_headers"));
                }),
        refused(kVersion, "global_response_headers_remove", kResponseHeaders,
                [](const ApiScope & s) {
                    return unlessDisabled(s, "global_response_headers_disabled",
                                          rules::whenNonEmptyStrings(*s.version, "global_response_headers_remove"));
                }),
        ignorable(kVersion, "global_response_headers_disabled", "a switch read by the global_response_headers rules"),
        ignorable(kVersion, "ignore_endpoint_case", "changes how endpoint rules match; each endpoint rule is refused"),
        refused(kVersion, "global_size_limit", kSizeLimits, globalSizeLimit),
        ignorable(kVersion, "global_size_limit_disabled", "a switch read by the global_size_limit rule"),
        refused(kVersion, "override_target", "per-version upstreams (override_target) are not supported yet; Sluice"
                                             " would proxy to proxy.target_url",
                [](const ApiScope & s) { return rules::whenNonEmptyString(*s.version, "override_target"); }),
        refused(kVersion, "global_enforce_timeout", "enforced timeouts are not supported yet (Tyk answers 504 past"
                                                    " them)",
                globalEnforceTimeout),
        ignorable(kVersion, "global_enforce_timeout_disabled", "a switch read by the global_enforce_timeout rule"),

        // Its extended_paths, read only with use_extended_paths: true.
        ignorable(kEndpoint, "ignored", "skips authentication and key limits, which Sluice does not have"),
        refused(kEndpoint, "ignored.method_actions", "method_actions replies and rejections are not supported yet",
                [](const ApiScope & s) -> Active {
                    Active entry = endpoints(s, "ignored", ignoredEntryActs);
                    return entry ? Active(*entry + ".method_actions") : std::nullopt;
                }),
        refused(kEndpoint, "white_list", "white lists are not supported yet (Tyk answers 403 to every other path)",
                [](const ApiScope & s) { return endpoints(s, "white_list", rules::notDisabled); }),
        refused(kEndpoint, "black_list", "black lists are not supported yet (Tyk answers 403 to the listed paths)",
                [](const ApiScope & s) { return endpoints(s, "black_list", blackListEntryActs); }),
        refused(kEndpoint, "mock_response", "mock responses are not supported yet (Tyk answers these requests"
                                            " itself)",
                [](const ApiScope & s) { return endpoints(s, "mock_response", rules::notDisabledWithMethod); }),
        refused(kEndpoint, "cache", kCache,
                [](const ApiScope & s) -> Active {
                    if (!rules::cacheEnabled(s.def))
                        return std::nullopt;
                    return rules::whenNonEmptyStrings(*s.extended_paths, "cache");
                }),
        refused(kEndpoint, "advance_cache_config", kCache,
                [](const ApiScope & s) -> Active {
                    if (!rules::cacheEnabled(s.def))
                        return std::nullopt;
                    return endpoints(s, "advance_cache_config", rules::notDisabledWithMethod);
                }),
        refused(kEndpoint, "transform", kBodyTransforms,
                [](const ApiScope & s) { return endpoints(s, "transform", rules::notDisabledWithMethod); }),
        refused(kEndpoint, "transform_response", kBodyTransforms,
                [](const ApiScope & s) { return endpoints(s, "transform_response", rules::notDisabledWithMethod); }),
        refused(kEndpoint, "transform_jq", kBodyTransforms,
                [](const ApiScope & s) { return endpoints(s, "transform_jq", entryWithMethod); }),
        refused(kEndpoint, "transform_jq_response", kBodyTransforms,
                [](const ApiScope & s) { return endpoints(s, "transform_jq_response", entryWithMethod); }),
        refused(kEndpoint, "transform_headers", kRequestHeaders,
                [](const ApiScope & s) { return endpoints(s, "transform_headers", headerEntryActs); }),
        refused(kEndpoint, "transform_response_headers", kResponseHeaders,
                [](const ApiScope & s) { return endpoints(s, "transform_response_headers", headerEntryActs); }),
        refused(kEndpoint, "hard_timeouts", "hard timeouts are not supported yet (Tyk answers 504 past them)",
                [](const ApiScope & s) { return endpoints(s, "hard_timeouts", rules::notDisabledWithMethod); }),
        refused(kEndpoint, "circuit_breakers", "circuit breakers are not supported yet (Tyk answers 503 while one is"
                                               " open)",
                [](const ApiScope & s) { return endpoints(s, "circuit_breakers", rules::notDisabledWithMethod); }),
        refused(kEndpoint, "url_rewrites", "URL rewrites are not supported yet; Sluice would proxy the original path",
                [](const ApiScope & s) { return endpoints(s, "url_rewrites", rules::notDisabledWithMethod); }),
        refused(kEndpoint, "virtual", "virtual endpoints are not supported yet",
                [](const ApiScope & s) { return endpoints(s, "virtual", rules::notDisabledWithMethod); }),
        refused(kEndpoint, "size_limits", kSizeLimits,
                [](const ApiScope & s) { return endpoints(s, "size_limits", rules::notDisabledWithMethod); }),
        refused(kEndpoint, "method_transforms", "method transforms are not supported yet",
                [](const ApiScope & s) { return endpoints(s, "method_transforms", rules::notDisabledWithMethod); }),
        ignorable(kEndpoint, "track_endpoints", "analytics only"),
        ignorable(kEndpoint, "do_not_track_endpoints", "analytics only"),
        refused(kEndpoint, "validate_json", kValidation,
                [](const ApiScope & s) { return endpoints(s, "validate_json", rules::notDisabledWithMethod); }),
        refused(kEndpoint, "validate_request", kValidation,
                [](const ApiScope & s) { return endpoints(s, "validate_request", validateRequestEntryActs); }),
        refused(kEndpoint, "internal", "internal-only endpoints are not supported yet (Tyk does not serve them to"
                                       " clients)",
                [](const ApiScope & s) { return endpoints(s, "internal", rules::notDisabledWithMethod); }),
        refused(kEndpoint, "go_plugin", "Go plugins are not supported yet",
                [](const ApiScope & s) { return endpoints(s, "go_plugin", rules::notDisabledWithMethod); }),
        refused(kEndpoint, "persist_graphql", "persisted GraphQL queries are not supported yet",
                [](const ApiScope & s) { return endpoints(s, "persist_graphql", entryWithMethod); }),
        refused(kEndpoint, "rate_limit", "rate limiting is not supported yet (Tyk answers 429 above the limit)",
                [](const ApiScope & s) -> Active {
                    if (flag(s.def, "disable_rate_limit"))
                        return std::nullopt;
                    return endpoints(s, "rate_limit", rateLimitEntryActs);
                }),
    };
    return fields;
}

}
