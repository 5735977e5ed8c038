#include "shared/TykFieldPolicy.h"

#include "shared/TykFieldRules.h"

#include <Poco/String.h>

namespace sluice
{

namespace
{

using rules::Active;
using rules::ignorable;
using rules::implemented;
using rules::refused;

constexpr FieldLevel kApi = FieldLevel::Api;

const char * const kAuthConfig = "configuration of an authentication mode; only used with that mode, which is refused";
const char * const kAnalytics = "analytics, tracing or events only; no effect on what is served";

/// Tyk builds no authentication chain for a keyless API, so an auth flag only counts with use_keyless false.
Active authMode(const ApiScope & s, const char * flag)
{
    return rules::keyless(s.def) ? std::nullopt : rules::whenTrue(s.def, flag);
}

/// Tyk falls back to token authentication when use_keyless is false and no other mode is set.
Active tokenFallback(const ApiScope & s)
{
    if (rules::keyless(s.def))
        return std::nullopt;
    for (const char * flag : {"use_standard_auth", "enable_jwt", "use_basic_auth", "use_oauth2", "use_openid",
                              "enable_signature_checking", "use_go_plugin_auth", "enable_coprocess_auth",
                              "custom_plugin_auth_enabled"})
        if (s.def.getBool(flag).value_or(false))
            return std::nullopt;
    if (rules::section(s.def, "external_oauth").getBool("enabled").value_or(false))
        return std::nullopt;
    return s.def.keyPath("use_keyless");
}

/// An IP list is enforced when non-empty, unless ip_access_control_disabled is set and its enable_* flag is not.
Active ipList(const ApiScope & s, const char * list, const char * flag)
{
    bool switched_off = s.def.getBool("ip_access_control_disabled").value_or(false);
    if (switched_off && !s.def.getBool(flag).value_or(false))
        return std::nullopt;
    return rules::whenNonEmptyStrings(s.def, list);
}

/// Tyk's RateLimitForAPI: a rate above 0, unless the limit or all API limits are disabled.
Active globalRateLimit(const ApiScope & s)
{
    std::optional<JsonFields> limit = s.def.getObject("global_rate_limit");
    if (!limit || s.def.getBool("disable_rate_limit").value_or(false) || limit->getBool("disabled").value_or(false))
        return std::nullopt;
    if (limit->getNumber("rate").value_or(0) <= 0)
        return std::nullopt;
    return s.def.keyPath("global_rate_limit");
}

/// Plugins in these hooks run for keyless APIs too; post_key_auth and auth_check only run with authentication.
Active customMiddleware(const ApiScope & s)
{
    JsonFields hooks = rules::section(s.def, "custom_middleware");
    for (const char * hook : {"pre", "post", "response"})
        if (Active entry = rules::firstEntry(hooks, hook, rules::notDisabled))
            return entry;
    return std::nullopt;
}

/// The cache stores responses only for all safe requests, for upstream cache-control, or for the endpoint
/// lists `cache` and `advance_cache_config` (classified at the endpoint level).
Active responseCache(const ApiScope & s)
{
    if (!rules::cacheEnabled(s.def))
        return std::nullopt;
    JsonFields cache = rules::section(s.def, "cache_options");
    if (cache.getBool("cache_all_safe_requests").value_or(false)
        || cache.getBool("enable_upstream_cache_control").value_or(false))
        return cache.keyPath("enable_cache");
    return std::nullopt;
}

/// check_host_against_uptime_tests only steers load balancing, and only with checks that can mark hosts down.
Active uptimeSteering(const ApiScope & s)
{
    JsonFields proxy = rules::section(s.def, "proxy");
    JsonFields uptime = rules::section(s.def, "uptime_tests");
    if (!proxy.getBool("enable_load_balancing").value_or(false) || uptime.getBool("disabled").value_or(false))
        return std::nullopt;
    std::optional<std::vector<JsonFields>> checks = uptime.getObjectArray("check_list");
    if (!checks || checks->empty())
        return std::nullopt;
    return rules::whenTrue(proxy, "check_host_against_uptime_tests");
}

Active upstreamAuth(const ApiScope & s)
{
    JsonFields auth = rules::section(s.def, "upstream_auth");
    if (!auth.getBool("enabled").value_or(false))
        return std::nullopt;
    if (rules::section(auth, "basic_auth").getBool("enabled").value_or(false)
        || rules::section(auth, "oauth").getBool("enabled").value_or(false))
        return auth.keyPath("enabled");
    return std::nullopt;
}

/// A transport setting counts only when some upstream is reached over TLS.
Active tlsSetting(const ApiScope & s, Active set)
{
    return set && rules::tlsUpstream(s.def) ? set : std::nullopt;
}

JsonFields transport(const ApiScope & s)
{
    return rules::section(rules::section(s.def, "proxy"), "transport");
}

}

const std::vector<TykField> & tykApiFields()
{
    static const std::vector<TykField> fields = {
        // Identity and routing.
        ignorable(kApi, "id", "database id; the api_id is the identity"),
        implemented(kApi, "name", "logs and GET /tyk/apis"),
        implemented(kApi, "api_id", "identity, and the API's second route by id (ApiDefinitionParser, RouteTable)"),
        implemented(kApi, "org_id", "GET /tyk/apis"),
        ignorable(kApi, "slug", "used only by Dashboard/RPC gateways with bind_to_slugs"),
        implemented(kApi, "active", "active: false skips the API (a documented difference: Tyk loads it)"),
        implemented(kApi, "internal", "internal: true APIs are not routed"),
        implemented(kApi, "domain", "host match with enable_custom_domains (RouteTable)"),
        implemented(kApi, "domain_disabled", "drops the domain, as Tyk's GetAPIDomain does (ApiDefinitionParser)"),
        implemented(kApi, "proxy.listen_path", "routing, stripping (RouteTable, UpstreamPath)"),
        implemented(kApi, "proxy.target_url", "http:// and ws:// upstreams; https upstreams are refused (UpstreamTarget)"),
        implemented(kApi, "proxy.strip_listen_path", "UpstreamPath"),
        implemented(kApi, "proxy.disable_strip_slash", "UpstreamPath"),
        implemented(kApi, "proxy.preserve_host_header", "ProxyHandler"),
        implemented(kApi, "proxy.enable_load_balancing", "round robin over target_list (ProxyHandler)"),
        implemented(kApi, "proxy.target_list", "round robin with enable_load_balancing (ProxyHandler)"),
        implemented(kApi, "version_data", "not_versioned with one version, or Default/default/\"\"; else 403 as Tyk"),
        refused(kApi, "version_data.not_versioned", "versioned APIs are not supported yet",
                [](const ApiScope & s) -> Active {
                    std::optional<JsonFields> data = s.def.getObject("version_data");
                    if (!data || data->getBool("not_versioned").value_or(false))
                        return std::nullopt;
                    return data->keyPath("not_versioned");
                }),
        refused(kApi, "definition", "versioning through definition (routing to version APIs) is not supported yet",
                [](const ApiScope & s) { return rules::whenTrue(rules::section(s.def, "definition"), "enabled"); }),
        refused(kApi, "listen_port", "per-API listen ports are not supported yet; the API would be served on the main"
                                     " port",
                [](const ApiScope & s) { return rules::whenNonZero(s.def, "listen_port"); }),
        refused(kApi, "protocol", "non-HTTP protocols (tcp, tls, https and h2c listeners) are not supported yet",
                [](const ApiScope & s) -> Active {
                    std::string protocol = Poco::toLower(s.def.getString("protocol").value_or(""));
                    return protocol.empty() || protocol == "http" ? std::nullopt : Active(s.def.keyPath("protocol"));
                }),
        refused(kApi, "enable_proxy_protocol", "the PROXY protocol on listeners is not supported yet",
                [](const ApiScope & s) { return rules::whenTrue(s.def, "enable_proxy_protocol"); }),
        refused(kApi, "application_protocol", "MCP and other application protocols are not supported yet",
                [](const ApiScope & s) { return rules::whenNonEmptyString(s.def, "application_protocol"); }),
        refused(kApi, "json_rpc_version", "JSON-RPC handling is not supported yet",
                [](const ApiScope & s) { return rules::whenNonEmptyString(s.def, "json_rpc_version"); }),
        refused(kApi, "expiration", "API expiry is not supported yet (Tyk stops serving the API after this date)",
                [](const ApiScope & s) { return rules::whenExpiry(s.def, "expiration"); }),

        // Authentication: every mode Sluice lacks is refused; the API is never served open. Client certificates
        // come first: Tyk checks them whatever the mode.
        refused(kApi, "use_mutual_tls_auth", "mutual TLS client certificate checks (use_mutual_tls_auth) are not"
                                             " supported yet (Tyk applies them whatever the authentication mode); the"
                                             " API is refused rather than served unprotected",
                [](const ApiScope & s) { return rules::whenTrue(s.def, "use_mutual_tls_auth"); }),
        refused(kApi, "use_keyless",
                "token authentication (Tyk's default when no other authentication mode is chosen) is not supported"
                " yet; the API is refused rather than served unprotected",
                tokenFallback),
        refused(kApi, "use_standard_auth", "token authentication (use_standard_auth) is not supported yet; the API is"
                                           " refused rather than served unprotected",
                [](const ApiScope & s) { return authMode(s, "use_standard_auth"); }),
        refused(kApi, "enable_jwt", "JWT authentication (enable_jwt) is not supported yet; the API is refused rather"
                                    " than served unprotected",
                [](const ApiScope & s) { return authMode(s, "enable_jwt"); }),
        refused(kApi, "use_basic_auth", "basic authentication (use_basic_auth) is not supported yet; the API is refused"
                                        " rather than served unprotected",
                [](const ApiScope & s) { return authMode(s, "use_basic_auth"); }),
        refused(kApi, "use_oauth2", "OAuth 2.0 authentication (use_oauth2) is not supported yet; the API is refused"
                                    " rather than served unprotected",
                [](const ApiScope & s) { return authMode(s, "use_oauth2"); }),
        refused(kApi, "external_oauth", "external OAuth authentication (external_oauth) is not supported yet; the API"
                                        " is refused rather than served unprotected",
                [](const ApiScope & s) -> Active {
                    if (rules::keyless(s.def))
                        return std::nullopt;
                    return rules::whenTrue(rules::section(s.def, "external_oauth"), "enabled");
                }),
        refused(kApi, "use_openid", "OpenID Connect authentication (use_openid) is not supported yet; the API is"
                                    " refused rather than served unprotected",
                [](const ApiScope & s) { return authMode(s, "use_openid"); }),
        refused(kApi, "enable_signature_checking", "HMAC request signature authentication (enable_signature_checking)"
                                                   " is not supported yet; the API is refused rather than served"
                                                   " unprotected",
                [](const ApiScope & s) { return authMode(s, "enable_signature_checking"); }),
        refused(kApi, "custom_plugin_auth_enabled", "custom plugin authentication (custom_plugin_auth_enabled) is not"
                                                    " supported yet; the API is refused rather than served unprotected",
                [](const ApiScope & s) { return authMode(s, "custom_plugin_auth_enabled"); }),
        refused(kApi, "enable_coprocess_auth", "custom plugin authentication (enable_coprocess_auth) is not supported"
                                               " yet; the API is refused rather than served unprotected",
                [](const ApiScope & s) { return authMode(s, "enable_coprocess_auth"); }),
        refused(kApi, "use_go_plugin_auth", "Go plugin authentication (use_go_plugin_auth) is not supported yet; the"
                                            " API is refused rather than served unprotected",
                [](const ApiScope & s) { return authMode(s, "use_go_plugin_auth"); }),
        ignorable(kApi, "auth", kAuthConfig),
        ignorable(kApi, "auth_configs", kAuthConfig),
        ignorable(kApi, "basic_auth", kAuthConfig),
        ignorable(kApi, "client_certificates", "certificates for use_mutual_tls_auth, which is refused"),
        ignorable(kApi, "openid_options", kAuthConfig),
        ignorable(kApi, "oauth_meta", kAuthConfig),
        ignorable(kApi, "notifications", "OAuth key change notifications; OAuth is refused"),
        ignorable(kApi, "jwt_signing_method", kAuthConfig),
        ignorable(kApi, "jwt_source", kAuthConfig),
        ignorable(kApi, "jwt_jwks_uris", kAuthConfig),
        ignorable(kApi, "jwt_identity_base_field", kAuthConfig),
        ignorable(kApi, "jwt_client_base_field", kAuthConfig),
        ignorable(kApi, "jwt_policy_field_name", kAuthConfig),
        ignorable(kApi, "jwt_default_policies", kAuthConfig),
        ignorable(kApi, "jwt_issued_at_validation_skew", kAuthConfig),
        ignorable(kApi, "jwt_expires_at_validation_skew", kAuthConfig),
        ignorable(kApi, "jwt_not_before_validation_skew", kAuthConfig),
        ignorable(kApi, "jwt_skip_kid", kAuthConfig),
        ignorable(kApi, "jwt_scope_to_policy_mapping", kAuthConfig),
        ignorable(kApi, "jwt_scope_claim_name", kAuthConfig),
        ignorable(kApi, "scopes", kAuthConfig),
        ignorable(kApi, "idp_client_id_mapping_disabled", kAuthConfig),
        ignorable(kApi, "hmac_allowed_clock_skew", kAuthConfig),
        ignorable(kApi, "hmac_allowed_algorithms", kAuthConfig),
        ignorable(kApi, "base_identity_provided_by", kAuthConfig),
        ignorable(kApi, "security_requirements", kAuthConfig),
        ignorable(kApi, "strip_auth_data", "strips credentials inside the authentication chain, which is refused"),
        ignorable(kApi, "auth_provider", kAuthConfig),
        ignorable(kApi, "session_provider", kAuthConfig),
        ignorable(kApi, "session_lifetime", "lifetime of keys; there are no keys without authentication"),
        ignorable(kApi, "session_lifetime_respects_key_expiration", "lifetime of keys; there are no keys without"
                                                                    " authentication"),
        ignorable(kApi, "disable_quota", "key quotas; there are no keys without authentication"),
        ignorable(kApi, "dont_set_quota_on_create", "key quotas; there are no keys without authentication"),

        // Traffic rules on the whole API.
        refused(kApi, "allowed_ips", "IP allow lists are not supported yet (Tyk answers 403 to other clients); the API"
                                     " is refused rather than served to every client",
                [](const ApiScope & s) { return ipList(s, "allowed_ips", "enable_ip_whitelisting"); }),
        refused(kApi, "blacklisted_ips", "IP deny lists are not supported yet (Tyk answers 403 to the listed clients);"
                                         " the API is refused rather than served to them",
                [](const ApiScope & s) { return ipList(s, "blacklisted_ips", "enable_ip_blacklisting"); }),
        ignorable(kApi, "enable_ip_whitelisting", "a switch read by the allowed_ips rule; no effect on its own"),
        ignorable(kApi, "enable_ip_blacklisting", "a switch read by the blacklisted_ips rule; no effect on its own"),
        ignorable(kApi, "ip_access_control_disabled", "a switch read by the allowed_ips and blacklisted_ips rules"),
        refused(kApi, "global_rate_limit", "rate limiting is not supported yet (Tyk answers 429 above the limit)",
                globalRateLimit),
        ignorable(kApi, "disable_rate_limit", "a switch read by the global_rate_limit and rate_limit rules"),
        refused(kApi, "CORS", "CORS handling is not supported yet (Tyk answers preflights itself and adds"
                              " Access-Control-* headers)",
                [](const ApiScope & s) { return rules::whenTrue(rules::section(s.def, "CORS"), "enable"); }),
        ignorable(kApi, "CORS.options_passthrough", "Tyk then skips its request rules for OPTIONS; Sluice applies"
                                                    " none of them (each is refused), so OPTIONS reach the upstream"
                                                    " alike"),
        refused(kApi, "cache_options", "response caching is not supported yet", responseCache),
        refused(kApi, "error_overrides", "error overrides are not supported yet (Tyk rewrites error responses)",
                [](const ApiScope & s) -> Active {
                    if (s.def.getBool("error_overrides_disabled").value_or(false))
                        return std::nullopt;
                    return rules::whenNonEmptyObject(s.def, "error_overrides");
                }),
        ignorable(kApi, "error_overrides_disabled", "a switch read by the error_overrides rule"),
        refused(kApi, "response_processors", "response processors (header_injector and others) are not supported"
                                             " yet; Tyk rewrites responses with them",
                [](const ApiScope & s) { return rules::firstEntry(s.def, "response_processors", rules::anyEntry); }),
        refused(kApi, "custom_middleware", "custom middleware plugins are not supported yet", customMiddleware),
        refused(kApi, "custom_middleware_bundle", "plugin bundles are not supported yet",
                [](const ApiScope & s) -> Active {
                    if (s.def.getBool("custom_middleware_bundle_disabled").value_or(false))
                        return std::nullopt;
                    return rules::whenNonEmptyString(s.def, "custom_middleware_bundle");
                }),
        ignorable(kApi, "custom_middleware_bundle_disabled", "a switch read by the custom_middleware_bundle rule"),
        ignorable(kApi, "config_data", "data for plugins, which are refused"),
        ignorable(kApi, "config_data_disabled", "data for plugins, which are refused"),
        refused(kApi, "graphql", "GraphQL APIs are not supported yet",
                [](const ApiScope & s) { return rules::whenTrue(rules::section(s.def, "graphql"), "enabled"); }),
        refused(kApi, "enable_batch_request_support", "batch requests are not supported yet (Tyk answers"
                                                      " /tyk/batch/ under the listen path itself)",
                [](const ApiScope & s) { return rules::whenTrue(s.def, "enable_batch_request_support"); }),
        refused(kApi, "request_signing", "signing upstream requests is not supported yet",
                [](const ApiScope & s) { return rules::whenTrue(rules::section(s.def, "request_signing"), "is_enabled"); }),
        refused(kApi, "upstream_auth", "upstream authentication is not supported yet", upstreamAuth),
        ignorable(kApi, "uptime_tests", "the checks only steer traffic through proxy.check_host_against_uptime_tests"
                                        " (classified there); alone they feed events and analytics"),
        ignorable(kApi, "certificates", "server certificates for TLS listeners, which are refused"),
        ignorable(kApi, "event_handlers", kAnalytics),
        ignorable(kApi, "do_not_track", kAnalytics),
        ignorable(kApi, "enable_detailed_recording", kAnalytics),
        ignorable(kApi, "detailed_tracing", kAnalytics),
        ignorable(kApi, "expire_analytics_after", kAnalytics),
        ignorable(kApi, "analytics_plugin", kAnalytics),
        ignorable(kApi, "tag_headers", kAnalytics),
        ignorable(kApi, "tags", "from files, tags only reach analytics (they filter APIs only for Dashboard/RPC"
                                " loading)"),
        ignorable(kApi, "tags_disabled", kAnalytics),
        ignorable(kApi, "enable_context_vars", "feeds $tyk_context variables, read only by rules that are refused"),
        ignorable(kApi, "is_oas", "marks Tyk OAS APIs; Sluice reads classic definitions"),

        // Upstream side.
        refused(kApi, "proxy.transport.proxy_url", "an egress proxy (proxy.transport.proxy_url) is not supported yet;"
                                                   " the upstream would be reached directly",
                [](const ApiScope & s) { return rules::whenNonEmptyString(transport(s), "proxy_url"); }),
        refused(kApi, "proxy.transport.ssl_insecure_skip_verify", "upstream TLS settings are not supported yet",
                [](const ApiScope & s) { return tlsSetting(s, rules::whenTrue(transport(s), "ssl_insecure_skip_verify")); }),
        refused(kApi, "proxy.transport.ssl_ciphers", "upstream TLS settings are not supported yet",
                [](const ApiScope & s) { return tlsSetting(s, rules::whenNonEmptyStrings(transport(s), "ssl_ciphers")); }),
        refused(kApi, "proxy.transport.ssl_min_version", "upstream TLS settings are not supported yet",
                [](const ApiScope & s) { return tlsSetting(s, rules::whenNonZero(transport(s), "ssl_min_version")); }),
        refused(kApi, "proxy.transport.ssl_max_version", "upstream TLS settings are not supported yet",
                [](const ApiScope & s) { return tlsSetting(s, rules::whenNonZero(transport(s), "ssl_max_version")); }),
        refused(kApi, "proxy.transport.ssl_force_common_name_check", "upstream TLS settings are not supported yet",
                [](const ApiScope & s) {
                    return tlsSetting(s, rules::whenTrue(transport(s), "ssl_force_common_name_check"));
                }),
        refused(kApi, "upstream_certificates", "upstream mutual TLS is not supported yet",
                [](const ApiScope & s) -> Active {
                    if (s.def.getBool("upstream_certificates_disabled").value_or(false))
                        return std::nullopt;
                    return tlsSetting(s, rules::whenNonEmptyObject(s.def, "upstream_certificates"));
                }),
        ignorable(kApi, "upstream_certificates_disabled", "a switch read by the upstream_certificates rule"),
        refused(kApi, "pinned_public_keys", "upstream certificate pinning is not supported yet",
                [](const ApiScope & s) -> Active {
                    if (s.def.getBool("certificate_pinning_disabled").value_or(false))
                        return std::nullopt;
                    return tlsSetting(s, rules::whenNonEmptyObject(s.def, "pinned_public_keys"));
                }),
        ignorable(kApi, "certificate_pinning_disabled", "a switch read by the pinned_public_keys rule"),
        refused(kApi, "proxy.service_discovery", "service discovery is not supported yet; Sluice would proxy"
                                                 " to proxy.target_url, not to the discovered hosts",
                [](const ApiScope & s) {
                    return rules::whenTrue(rules::section(rules::section(s.def, "proxy"), "service_discovery"),
                                           "use_discovery_service");
                }),
        refused(kApi, "proxy.check_host_against_uptime_tests", "skipping hosts that fail uptime tests is not"
                                                               " supported yet (Tyk answers 503 when all are down)",
                uptimeSteering),
    };
    return fields;
}

}
