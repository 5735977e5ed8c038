#include "shared/TykFieldPolicy.h"

#include "shared/TykFieldRules.h"

namespace sluice
{

namespace
{

using rules::ignorable;
using rules::implemented;
using rules::refused;

constexpr FieldLevel kGateway = FieldLevel::Gateway;

const char * const kKeys = "keys, policies and authentication; Sluice has no authentication (such APIs are refused)";
const char * const kLogs = "logging, analytics, tracing or events only";
const char * const kStores = "Redis, Dashboard or RPC connection settings; no effect on what Sluice serves";
const char * const kPlugins = "plugin engine settings; per-API plugins are refused";
const char * const kTlsListener = "TLS listener settings; TLS listeners are refused (http_server_options.use_ssl)";
const char * const kUpstreamTls = "upstream TLS settings; https upstreams are refused (proxy.target_url)";
const char * const kRateLimits = "rate limiter algorithm; rate limits are refused";
const char * const kEndpointMatching = "changes how endpoint rules match; each endpoint rule is refused";

bool isTrue(const GatewayKeys & keys, const char * path, const char * field)
{
    return keys.boolean(path, field).value_or(false);
}

}

const std::vector<TykField> & tykGatewayFields()
{
    static const std::vector<TykField> fields = {
        // Listening and routing.
        implemented(kGateway, "listen_address", "the listening socket (master)"),
        implemented(kGateway, "listen_port", "the listening socket (master)"),
        implemented(kGateway, "hostname", "host match for API routes (RouteTable)"),
        implemented(kGateway, "enable_custom_domains", "per-API domain (RouteTable)"),
        implemented(kGateway, "app_path", "the API definitions (ApiDefinitionLoader)"),
        refused("use_db_app_configs", "USEDBAPPCONFIGS", "loading API definitions from a Dashboard is not supported;"
                                                         " Sluice serves only the files in app_path",
                [](const GatewayKeys & k) { return isTrue(k, "use_db_app_configs", "USEDBAPPCONFIGS"); }),
        ignorable(kGateway, "db_app_conf_options", "only used with use_db_app_configs"),
        refused("slave_options.use_rpc", "SLAVEOPTIONS_USERPC", "loading API definitions over RPC (MDCB) is not"
                                                                " supported; Sluice serves only the files in"
                                                                " app_path",
                [](const GatewayKeys & k) { return isTrue(k, "slave_options.use_rpc", "SLAVEOPTIONS_USERPC"); }),
        ignorable(kGateway, "slave_options", kStores),
        ignorable(kGateway, "ports_whitelist", "ports for per-API listen_port, which is refused"),
        ignorable(kGateway, "disable_ports_whitelist", "ports for per-API listen_port, which is refused"),
        ignorable(kGateway, "version_header", "versioned APIs only; they are refused"),

        // Control API.
        implemented(kGateway, "secret", "X-Tyk-Authorization on /tyk/ (ControlApi); env:// resolved"),
        refused("control_api_port", "CONTROLAPIPORT", "a separate control API port is not supported yet (Tyk would"
                                                      " move /hello, /ready and /tyk/ off the main port)",
                [](const GatewayKeys & k) {
                    return k.integer("control_api_port", "CONTROLAPIPORT", 0, 65535).value_or(0) != 0;
                }),
        ignorable(kGateway, "control_api_hostname", "limits only Tyk's profiling and config-inspection routes, which"
                                                    " Sluice does not serve; /tyk/ answers any host in Tyk too"),
        implemented(kGateway, "health_check_endpoint_name", "/hello (ControlApi)"),
        implemented(kGateway, "readiness_check_endpoint_name", "/ready (ControlApi)"),
        ignorable(kGateway, "health_check", "health sampling for the control API"),
        ignorable(kGateway, "liveness_check", "how often Tyk probes Redis and the Dashboard"),
        ignorable(kGateway, "enable_http_profiler", "profiling routes; Sluice does not serve them"),
        ignorable(kGateway, "enable_config_inspection", "config-inspection routes; Sluice does not serve them"),
        ignorable(kGateway, "security", "certificate storage, control API and upstream TLS settings; the traffic"
                                        " ones are classified one by one"),
        refused("security.control_api_use_mutual_tls", "SECURITY_CONTROLAPIUSEMUTUALTLS",
                "mutual TLS on the control API is not supported yet; the control API would accept clients without"
                " certificates",
                [](const GatewayKeys & k) {
                    return isTrue(k, "security.control_api_use_mutual_tls", "SECURITY_CONTROLAPIUSEMUTUALTLS");
                }),
        ignorable(kGateway, "security.pinned_public_keys", kUpstreamTls),
        ignorable(kGateway, "security.certificates", "certificates for TLS listeners, upstream mutual TLS and the"
                                                     " control API, all refused"),

        // Client side.
        ignorable(kGateway, "http_server_options", "each key is classified on its own"),
        implemented(kGateway, "http_server_options.read_timeout", "reading a request (WorkerProcess)"),
        implemented(kGateway, "http_server_options.write_timeout", "per-write stall limit on streams (a documented"
                                                                   " difference; WorkerProcess)"),
        implemented(kGateway, "http_server_options.flush_interval", "flushing fixed-length bodies (ProxyHandler)"),
        implemented(kGateway, "http_server_options.enable_websockets", "Connection: Upgrade (ProxyHandler)"),
        implemented(kGateway, "http_server_options.enable_strict_routes", "RouteTable"),
        implemented(kGateway, "http_server_options.skip_url_cleaning", "301 on unclean paths (RequestRouter)"),
        implemented(kGateway, "http_server_options.max_request_body_size", "413, chunked bodies included (ProxyHandler)"),
        refused("http_server_options.use_ssl", "HTTPSERVEROPTIONS_USESSL",
                "TLS listeners are not supported by Sluice; terminate TLS in front of it",
                [](const GatewayKeys & k) {
                    return isTrue(k, "http_server_options.use_ssl", "HTTPSERVEROPTIONS_USESSL");
                }),
        ignorable(kGateway, "http_server_options.use_ssl_le", kTlsListener),
        ignorable(kGateway, "http_server_options.enable_http2", "HTTP/2 over TLS listeners, which are refused;"
                                                                " Sluice answers cleartext HTTP/1.x"),
        ignorable(kGateway, "http_server_options.ssl_insecure_skip_verify", kTlsListener),
        ignorable(kGateway, "http_server_options.certificates", kTlsListener),
        ignorable(kGateway, "http_server_options.ssl_certificates", kTlsListener),
        ignorable(kGateway, "http_server_options.server_name", kTlsListener),
        ignorable(kGateway, "http_server_options.min_version", kTlsListener),
        ignorable(kGateway, "http_server_options.max_version", kTlsListener),
        ignorable(kGateway, "http_server_options.ssl_ciphers", kTlsListener),
        ignorable(kGateway, "http_server_options.skip_client_ca_announcement", kTlsListener),
        ignorable(kGateway, "http_server_options.override_defaults", "no longer read by Tyk"),
        ignorable(kGateway, "http_server_options.skip_target_path_escaping", "Sluice sends the request path as"
                                                                             " received, which is what this switch"
                                                                             " asks for"),
        ignorable(kGateway, "http_server_options.enable_path_prefix_matching", kEndpointMatching),
        ignorable(kGateway, "http_server_options.enable_path_suffix_matching", kEndpointMatching),
        ignorable(kGateway, "http_server_options.xff_depth", "picks the client IP for IP rules, which are refused"),
        ignorable(kGateway, "http_server_options.max_response_body_size", "applies only with response body"
                                                                          " transforms, which are refused"),
        implemented(kGateway, "close_connections", "Connection: close to clients (ProxyHandler, ErrorResponses)"),
        implemented(kGateway, "hide_generator_header", "X-Generator (ErrorResponses)"),
        ignorable(kGateway, "ignore_endpoint_case", kEndpointMatching),
        ignorable(kGateway, "ignore_canonical_mime_header_key", "header name spelling in header transforms, which are"
                                                                " refused"),
        ignorable(kGateway, "template_path", "error body templates; only error bodies would differ"),
        ignorable(kGateway, "override_messages", "texts of authentication errors; authentication is refused"),
        refused("error_overrides", "", "error overrides are not supported yet (Tyk rewrites error responses)",
                [](const GatewayKeys & k) {
                    std::optional<JsonFields> overrides = k.object("error_overrides");
                    return overrides && !overrides->keys().empty();
                }),

        // Upstream side.
        implemented(kGateway, "proxy_default_timeout", "upstream connect and response headers (WorkerServices)"),
        implemented(kGateway, "proxy_close_connections", "no upstream keep-alive (WorkerServices)"),
        implemented(kGateway, "max_idle_connections_per_host", "upstream keep-alive pool (WorkerServices)"),
        ignorable(kGateway, "max_idle_connections", "a total for the idle pool; the per-host limit is honoured"),
        ignorable(kGateway, "max_conn_time", "how long Tyk keeps an upstream transport; requests are the same"),
        ignorable(kGateway, "close_idle_connections", "no longer read by Tyk"),
        ignorable(kGateway, "proxy_ssl_insecure_skip_verify", kUpstreamTls),
        ignorable(kGateway, "proxy_enable_http2", "HTTP/2 to https upstreams, which are refused"),
        ignorable(kGateway, "proxy_ssl_min_version", kUpstreamTls),
        ignorable(kGateway, "proxy_ssl_max_version", kUpstreamTls),
        ignorable(kGateway, "proxy_ssl_ciphers", kUpstreamTls),
        ignorable(kGateway, "proxy_ssl_disable_renegotiation", kUpstreamTls),
        ignorable(kGateway, "ssl_force_common_name_check", kUpstreamTls),
        ignorable(kGateway, "external_services", "Tyk's own outbound calls (webhooks, OAuth, plugins)"),
        ignorable(kGateway, "dns_cache", "caches DNS answers; the same upstreams are reached"),
        ignorable(kGateway, "service_discovery", "only with per-API service discovery, which is refused"),
        ignorable(kGateway, "uptime_tests", "the checker; it steers traffic only through"
                                            " proxy.check_host_against_uptime_tests, refused per API"),

        // Limits and quotas.
        refused("enforce_org_quotas", "ENFORCEORGQUOTAS", "organisation quotas are not supported yet (Tyk answers 403"
                                                          " once an organisation's quota is used)",
                [](const GatewayKeys & k) { return isTrue(k, "enforce_org_quotas", "ENFORCEORGQUOTAS"); }),
        ignorable(kGateway, "experimental_process_org_off_thread", "only with enforce_org_quotas"),
        ignorable(kGateway, "enforce_org_data_age", kLogs),
        ignorable(kGateway, "enforce_org_data_detail_logging", kLogs),
        ignorable(kGateway, "monitor", "quota webhooks; quotas are refused"),
        ignorable(kGateway, "enable_redis_rolling_limiter", kRateLimits),
        ignorable(kGateway, "enable_sentinel_rate_limiter", kRateLimits),
        ignorable(kGateway, "enable_non_transactional_rate_limiter", kRateLimits),
        ignorable(kGateway, "enable_fixed_window_rate_limiter", kRateLimits),
        ignorable(kGateway, "enable_rate_limit_smoothing", kRateLimits),
        ignorable(kGateway, "drl_notification_frequency", kRateLimits),
        ignorable(kGateway, "drl_threshold", kRateLimits),
        ignorable(kGateway, "drl_enable_sentinel_rate_limiter", kRateLimits),
        ignorable(kGateway, "management_node", kRateLimits),

        // Keys and authentication.
        ignorable(kGateway, "hash_keys", kKeys),
        ignorable(kGateway, "hash_key_function", kKeys),
        ignorable(kGateway, "hash_key_function_fallback", kKeys),
        ignorable(kGateway, "basic_auth_hash_key_function", kKeys),
        ignorable(kGateway, "disable_key_actions_by_username", kKeys),
        ignorable(kGateway, "enable_hashed_keys_listing", kKeys),
        ignorable(kGateway, "min_token_length", kKeys),
        ignorable(kGateway, "policies", kKeys),
        ignorable(kGateway, "allow_master_keys", kKeys),
        ignorable(kGateway, "auth_override", kKeys),
        ignorable(kGateway, "local_session_cache", kKeys),
        ignorable(kGateway, "enable_api_segregation", kKeys),
        ignorable(kGateway, "oauth_refresh_token_expire", kKeys),
        ignorable(kGateway, "oauth_token_expire", kKeys),
        ignorable(kGateway, "oauth_token_expired_retain_period", kKeys),
        ignorable(kGateway, "oauth_redirect_uri_separator", kKeys),
        ignorable(kGateway, "oauth_error_status_code", kKeys),
        ignorable(kGateway, "jwt_ssl_insecure_skip_verify", kKeys),
        ignorable(kGateway, "jwks", kKeys),
        ignorable(kGateway, "suppress_default_org_store", kKeys),
        ignorable(kGateway, "legacy_enable_allowance_countdown", kKeys),
        ignorable(kGateway, "force_global_session_lifetime", kKeys),
        ignorable(kGateway, "session_lifetime_respects_key_expiration", kKeys),
        ignorable(kGateway, "global_session_lifetime", kKeys),
        ignorable(kGateway, "optimisations_use_async_session_write", kKeys),

        // Plugins.
        ignorable(kGateway, "enable_jsvm", kPlugins),
        ignorable(kGateway, "jsvm_timeout", kPlugins),
        ignorable(kGateway, "disable_virtual_path_blobs", kPlugins),
        ignorable(kGateway, "tyk_js_path", kPlugins),
        ignorable(kGateway, "middleware_path", kPlugins),
        ignorable(kGateway, "coprocess_options", kPlugins),
        ignorable(kGateway, "enable_bundle_downloader", kPlugins),
        ignorable(kGateway, "bundle_base_url", kPlugins),
        ignorable(kGateway, "bundle_insecure_skip_verify", kPlugins),
        ignorable(kGateway, "skip_verify_existing_plugin_bundle", kPlugins),

        // Process, stores and observability.
        implemented(kGateway, "log_level", "log level (Logging)"),
        implemented(kGateway, "graceful_shutdown_timeout_duration", "default drain deadline (sluice.drain_timeout)"),
        ignorable(kGateway, "graceful_shutdown_delay_seconds", "a pause before draining; Sluice drains at once"),
        ignorable(kGateway, "reload_interval", "Sluice reloads on demand (SIGHUP, /tyk/reload)"),
        ignorable(kGateway, "reload_wait_time", "no longer read by Tyk"),
        ignorable(kGateway, "suppress_redis_signal_reload", "Redis reload signals; Sluice reloads on SIGHUP and"
                                                            " /tyk/reload"),
        ignorable(kGateway, "node_secret", kStores),
        ignorable(kGateway, "pid_file_location", "Sluice writes no pid file (systemd tracks the master)"),
        ignorable(kGateway, "allow_insecure_configs", kStores),
        ignorable(kGateway, "public_key_path", kStores),
        ignorable(kGateway, "allow_remote_config", kStores),
        ignorable(kGateway, "disable_dashboard_zeroconf", kStores),
        ignorable(kGateway, "storage", kStores),
        ignorable(kGateway, "enable_separate_cache_store", "the response cache store; caching is refused"),
        ignorable(kGateway, "cache_storage", "the response cache store; caching is refused"),
        ignorable(kGateway, "enable_separate_analytics_store", kLogs),
        ignorable(kGateway, "analytics_storage", kLogs),
        ignorable(kGateway, "enable_analytics", kLogs),
        ignorable(kGateway, "analytics_config", kLogs),
        ignorable(kGateway, "enable_key_logging", kLogs),
        ignorable(kGateway, "log_format", kLogs),
        ignorable(kGateway, "access_logs", kLogs),
        ignorable(kGateway, "tracing", kLogs),
        ignorable(kGateway, "opentelemetry", kLogs),
        ignorable(kGateway, "newrelic", kLogs),
        ignorable(kGateway, "use_redis_log", kLogs),
        ignorable(kGateway, "use_sentry", kLogs),
        ignorable(kGateway, "sentry_code", kLogs),
        ignorable(kGateway, "sentry_log_level", kLogs),
        ignorable(kGateway, "use_syslog", kLogs),
        ignorable(kGateway, "syslog_transport", kLogs),
        ignorable(kGateway, "syslog_network_addr", kLogs),
        ignorable(kGateway, "use_graylog", kLogs),
        ignorable(kGateway, "graylog_network_addr", kLogs),
        ignorable(kGateway, "use_logstash", kLogs),
        ignorable(kGateway, "logstash_transport", kLogs),
        ignorable(kGateway, "logstash_network_addr", kLogs),
        ignorable(kGateway, "track_404_logs", kLogs),
        ignorable(kGateway, "statsd_connection_string", kLogs),
        ignorable(kGateway, "statsd_prefix", kLogs),
        ignorable(kGateway, "event_handlers", kLogs),
        ignorable(kGateway, "event_trigers_defunct", kLogs),
        ignorable(kGateway, "event_triggers_defunct", kLogs),
        ignorable(kGateway, "disable_regexp_cache", "a regular expression cache inside Tyk"),
        ignorable(kGateway, "regexp_cache_expire", "a regular expression cache inside Tyk"),
        ignorable(kGateway, "kv", "Consul and Vault references; Sluice resolves env:// only (others fail to parse)"),
        ignorable(kGateway, "secrets", "secrets:// references; Sluice resolves env:// only (others fail to parse)"),
        ignorable(kGateway, "cloud", "Tyk Cloud deployments"),
        ignorable(kGateway, "resource_sync", "Dashboard/RPC sync retries"),
        ignorable(kGateway, "oas_config", "Tyk OAS definitions, which Sluice does not read"),
        ignorable(kGateway, "streaming", "Tyk Streaming APIs are OAS definitions, which Sluice does not read"),
        ignorable(kGateway, "labs", "experimental switches for Tyk features Sluice does not have"),
    };
    return fields;
}

}
