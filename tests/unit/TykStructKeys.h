#pragma once

#include <vector>

/// The JSON keys of Tyk's own structs, copied from its source (TykTechnologies/tyk: apidef/api_definitions.go
/// APIDefinition, ProxyConfig, CORSConfig, VersionInfo, ExtendedPathsSet; apidef/error_overrides.go; config/config.go
/// Config, HttpServerOptionsConfig, SecurityConfig; config/rate_limit.go RateLimit), plus keys that older or newer
/// releases have and files still carry. Every key here must be classified by the field table: a key nobody
/// classified fails the test, so a key added to this list cannot be silently ignored by Sluice.
namespace sluice::test::tyk_keys
{

/// APIDefinition (top level), with ProxyConfig under "proxy." and CORSConfig under "CORS.".
inline const std::vector<const char *> kApiDefinition = {
    "id", "name", "expiration", "slug", "listen_port", "protocol", "enable_proxy_protocol", "json_rpc_version",
    "application_protocol", "api_id", "org_id", "use_keyless", "use_oauth2", "external_oauth", "use_openid",
    "openid_options", "oauth_meta", "auth", "auth_configs", "use_basic_auth", "basic_auth", "use_mutual_tls_auth",
    "client_certificates", "upstream_certificates", "upstream_certificates_disabled", "pinned_public_keys",
    "certificate_pinning_disabled", "enable_jwt", "use_standard_auth", "use_go_plugin_auth", "enable_coprocess_auth",
    "custom_plugin_auth_enabled", "jwt_signing_method", "jwt_source", "jwt_jwks_uris", "jwt_identity_base_field",
    "jwt_client_base_field", "jwt_policy_field_name", "jwt_default_policies", "jwt_issued_at_validation_skew",
    "jwt_expires_at_validation_skew", "jwt_not_before_validation_skew", "jwt_skip_kid", "scopes",
    "idp_client_id_mapping_disabled", "jwt_scope_to_policy_mapping", "jwt_scope_claim_name", "notifications",
    "enable_signature_checking", "hmac_allowed_clock_skew", "hmac_allowed_algorithms", "request_signing",
    "base_identity_provided_by", "definition", "version_data", "uptime_tests", "disable_rate_limit", "disable_quota",
    "custom_middleware", "custom_middleware_bundle", "custom_middleware_bundle_disabled", "cache_options",
    "session_lifetime_respects_key_expiration", "session_lifetime", "active", "internal", "auth_provider",
    "session_provider", "event_handlers", "enable_batch_request_support", "enable_ip_whitelisting", "allowed_ips",
    "enable_ip_blacklisting", "blacklisted_ips", "ip_access_control_disabled", "dont_set_quota_on_create",
    "expire_analytics_after", "response_processors", "domain", "domain_disabled", "certificates", "do_not_track",
    "enable_context_vars", "config_data", "config_data_disabled", "tag_headers", "global_rate_limit",
    "strip_auth_data", "enable_detailed_recording", "graphql", "analytics_plugin", "tags_disabled", "tags", "is_oas",
    "detailed_tracing", "upstream_auth", "security_requirements", "error_overrides", "error_overrides_disabled",
    // ProxyConfig
    "proxy.preserve_host_header", "proxy.listen_path", "proxy.target_url", "proxy.disable_strip_slash",
    "proxy.strip_listen_path", "proxy.enable_load_balancing", "proxy.target_list",
    "proxy.check_host_against_uptime_tests", "proxy.service_discovery", "proxy.transport.ssl_insecure_skip_verify",
    "proxy.transport.ssl_ciphers", "proxy.transport.ssl_min_version", "proxy.transport.ssl_max_version",
    "proxy.transport.ssl_force_common_name_check", "proxy.transport.proxy_url",
    // CORSConfig
    "CORS.enable", "CORS.allowed_origins", "CORS.allowed_methods", "CORS.allowed_headers", "CORS.exposed_headers",
    "CORS.allow_credentials", "CORS.max_age", "CORS.options_passthrough", "CORS.debug",
};

/// VersionInfo (version_data.versions.<name>), with its legacy "paths" lists; extended_paths is kExtendedPaths.
/// global_enforce_timeout* is the version-level enforced timeout of newer releases.
inline const std::vector<const char *> kVersionInfo = {
    "name", "expires", "paths.ignored", "paths.white_list", "paths.black_list", "use_extended_paths",
    "global_headers", "global_headers_remove", "global_headers_disabled", "global_response_headers",
    "global_response_headers_remove", "global_response_headers_disabled", "ignore_endpoint_case",
    "global_size_limit", "global_size_limit_disabled", "override_target", "global_enforce_timeout",
    "global_enforce_timeout_disabled",
};

/// ExtendedPathsSet.
inline const std::vector<const char *> kExtendedPaths = {
    "ignored", "white_list", "black_list", "mock_response", "cache", "advance_cache_config", "transform",
    "transform_response", "transform_jq", "transform_jq_response", "transform_headers",
    "transform_response_headers", "hard_timeouts", "circuit_breakers", "url_rewrites", "virtual", "size_limits",
    "method_transforms", "track_endpoints", "do_not_track_endpoints", "validate_json", "validate_request",
    "internal", "go_plugin", "persist_graphql", "rate_limit",
};

/// Config (tyk.conf) with the embedded RateLimit, HttpServerOptionsConfig under "http_server_options." and
/// SecurityConfig under "security.".
inline const std::vector<const char *> kGatewayConfig = {
    "hostname", "listen_address", "listen_port", "control_api_hostname", "control_api_port", "secret", "node_secret",
    "pid_file_location", "allow_insecure_configs", "public_key_path", "allow_remote_config",
    "enable_config_inspection", "security", "external_services", "http_server_options", "version_header",
    "suppress_redis_signal_reload", "reload_interval", "hash_keys", "disable_key_actions_by_username",
    "hash_key_function", "basic_auth_hash_key_function", "hash_key_function_fallback", "enable_hashed_keys_listing",
    "min_token_length", "template_path", "policies", "ports_whitelist", "disable_ports_whitelist", "app_path",
    "use_db_app_configs", "db_app_conf_options", "storage", "disable_dashboard_zeroconf", "slave_options",
    "management_node", "auth_override", "enable_redis_rolling_limiter", "enable_sentinel_rate_limiter",
    "enable_non_transactional_rate_limiter", "enable_fixed_window_rate_limiter", "drl_notification_frequency",
    "drl_threshold", "drl_enable_sentinel_rate_limiter", "enable_rate_limit_smoothing", "enforce_org_data_age",
    "enforce_org_data_detail_logging", "enforce_org_quotas", "experimental_process_org_off_thread", "monitor",
    "max_idle_connections", "max_idle_connections_per_host", "max_conn_time", "close_connections",
    "enable_custom_domains", "allow_master_keys", "service_discovery", "proxy_ssl_insecure_skip_verify",
    "proxy_enable_http2", "proxy_ssl_min_version", "proxy_ssl_max_version", "proxy_ssl_ciphers",
    "proxy_default_timeout", "proxy_ssl_disable_renegotiation", "proxy_close_connections", "uptime_tests",
    "health_check", "health_check_endpoint_name", "readiness_check_endpoint_name",
    "graceful_shutdown_timeout_duration", "oauth_refresh_token_expire", "oauth_token_expire",
    "oauth_token_expired_retain_period", "oauth_redirect_uri_separator", "oauth_error_status_code",
    "enable_key_logging", "ssl_force_common_name_check", "enable_analytics", "analytics_config",
    "enable_separate_analytics_store", "analytics_storage", "liveness_check", "dns_cache", "disable_regexp_cache",
    "regexp_cache_expire", "local_session_cache", "enable_separate_cache_store", "cache_storage",
    "enable_bundle_downloader", "bundle_base_url", "bundle_insecure_skip_verify", "skip_verify_existing_plugin_bundle",
    "enable_jsvm", "jsvm_timeout", "disable_virtual_path_blobs", "tyk_js_path", "middleware_path",
    "coprocess_options", "ignore_endpoint_case", "ignore_canonical_mime_header_key", "log_level", "log_format",
    "access_logs", "tracing", "opentelemetry", "newrelic", "enable_http_profiler", "use_redis_log", "use_sentry",
    "sentry_code", "sentry_log_level", "use_syslog", "syslog_transport", "syslog_network_addr", "use_graylog",
    "graylog_network_addr", "use_logstash", "logstash_transport", "logstash_network_addr", "track_404_logs",
    "statsd_connection_string", "statsd_prefix", "event_handlers", "event_trigers_defunct", "event_triggers_defunct",
    "hide_generator_header", "suppress_default_org_store", "legacy_enable_allowance_countdown",
    "force_global_session_lifetime", "session_lifetime_respects_key_expiration", "global_session_lifetime", "kv",
    "secrets", "override_messages", "cloud", "jwt_ssl_insecure_skip_verify", "resource_sync", "oas_config",
    "streaming", "labs", "jwks",
    // Older releases, and the gateway-wide error overrides.
    "close_idle_connections", "reload_wait_time", "optimisations_use_async_session_write", "enable_api_segregation",
    "graceful_shutdown_delay_seconds", "error_overrides",
    // HttpServerOptionsConfig
    "http_server_options.read_timeout", "http_server_options.write_timeout", "http_server_options.use_ssl",
    "http_server_options.use_ssl_le", "http_server_options.override_defaults", "http_server_options.enable_http2",
    "http_server_options.enable_strict_routes", "http_server_options.enable_path_prefix_matching",
    "http_server_options.enable_path_suffix_matching", "http_server_options.ssl_insecure_skip_verify",
    "http_server_options.enable_websockets", "http_server_options.certificates", "http_server_options.ssl_certificates",
    "http_server_options.server_name", "http_server_options.min_version", "http_server_options.max_version",
    "http_server_options.skip_client_ca_announcement", "http_server_options.flush_interval",
    "http_server_options.skip_url_cleaning", "http_server_options.skip_target_path_escaping",
    "http_server_options.ssl_ciphers", "http_server_options.max_request_body_size", "http_server_options.xff_depth",
    "http_server_options.max_response_body_size",
    // SecurityConfig
    "security.private_certificate_encoding_secret", "security.control_api_use_mutual_tls",
    "security.pinned_public_keys", "security.allow_unsafe_dynamic_mtls_token", "security.certificates",
    "security.certificate_expiry_monitor",
    // SlaveOptionsConfig: the one key that decides where APIs come from.
    "slave_options.use_rpc",
};

}
