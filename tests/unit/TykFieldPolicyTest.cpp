/// The field table (shared/TykFieldPolicy.h) is walked, not sampled: every refused field is loaded once in a
/// form Tyk applies (a ConfigError naming the file and the field) and in forms Tyk does not apply (the load
/// succeeds); every key of Tyk's structs must be classified; no refusal suggests weakening protection; the
/// operator documentation lists every entry.

#include "ConfigTestSupport.h"
#include "TykStructKeys.h"

#include "shared/TykFieldPolicy.h"

#include <Poco/String.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace sluice;
using namespace sluice::test;

namespace
{

/// Where an example puts its members: the definition's top level, its "proxy", the served version
/// (version_data.versions.Default). A default member (use_keyless, version_data, target_url) is left out
/// when the example sets it.
struct Example
{
    std::string top;
    std::string proxy;
    std::string version;
};

struct Examples
{
    std::vector<Example> active;
    std::vector<Example> inactive;
};

const char * levelName(FieldLevel level)
{
    switch (level)
    {
        case FieldLevel::Gateway: return "gateway";
        case FieldLevel::Api: return "api";
        case FieldLevel::Version: return "version";
        case FieldLevel::Endpoint: return "endpoint";
    }
    return "?";
}

std::string id(const TykField & field)
{
    return std::string(levelName(field.level)) + ":" + field.path;
}

bool mentions(const std::string & members, const std::string & key)
{
    return members.find("\"" + key + "\"") != std::string::npos;
}

std::string join(std::initializer_list<std::string> parts)
{
    std::string out;
    for (const std::string & part : parts)
        if (!part.empty())
            out += (out.empty() ? "" : ", ") + part;
    return out;
}

std::string definition(const Example & e)
{
    std::string version = R"("version_data": {"not_versioned": true, "versions": {"Default": {)"
        + join({R"("name": "Default")", e.version}) + "}}}";
    std::string proxy = join({R"("listen_path": "/a/")",
                              mentions(e.proxy, "target_url") ? "" : R"("target_url": "http://127.0.0.1:9")", e.proxy});
    return "{" + join({R"("api_id": "a")", mentions(e.top, "use_keyless") ? "" : R"("use_keyless": true)",
                       mentions(e.top, "version_data") ? "" : version, e.top, R"("proxy": {)" + proxy + "}"})
        + "}";
}

/// Version members with extended_paths holding `lists`, read (use_extended_paths: true) or not.
std::string ext(const std::string & lists, bool read = true)
{
    return std::string(R"("use_extended_paths": )") + (read ? "true" : "false") + R"(, "extended_paths": {)" + lists
        + "}";
}

Example top(const std::string & members)
{
    return {members, "", ""};
}

Example proxy(const std::string & members)
{
    return {"", members, ""};
}

Example version(const std::string & members)
{
    return {"", "", members};
}

/// The common shape of an endpoint list whose entries need `disabled` false and a method.
Examples methodList(const std::string & list)
{
    std::string entry = R"({"path": "/a", "method": "GET"})";
    return {{version(ext("\"" + list + "\": [" + entry + "]"))},
            {version(ext("\"" + list + R"(": [{"path": "/a", "method": ""}])")),
             version(ext("\"" + list + R"(": [{"path": "/a", "method": "GET", "disabled": true}])")),
             version(ext("\"" + list + "\": []")), version(ext("\"" + list + "\": [" + entry + "]", false))}};
}

/// An endpoint list whose entries have no `disabled` switch (transform_jq*, persist_graphql).
Examples methodOnlyList(const std::string & list)
{
    return {{version(ext("\"" + list + R"(": [{"path": "/a", "method": "POST"}])"))},
            {version(ext("\"" + list + R"(": [{"path": "/a"}])")),
             version(ext("\"" + list + R"(": [{"path": "/a", "method": "POST"}])", false))}};
}

Examples authFlag(const std::string & flag)
{
    return {{top(R"("use_keyless": false, ")" + flag + "\": true")},
            {top(R"("use_keyless": true, ")" + flag + "\": true")}};
}

Examples headerList(const std::string & list)
{
    std::string add = R"({"path": "/a", "method": "GET", "add_headers": {"X-A": "1"}})";
    std::string remove = R"({"path": "/a", "method": "GET", "delete_headers": ["X-A"]})";
    return {{version(ext("\"" + list + "\": [" + add + "]")), version(ext("\"" + list + "\": [" + remove + "]"))},
            {version(ext("\"" + list + R"(": [{"path": "/a", "method": "GET", "add_headers": {}}])")),
             version(ext("\"" + list + R"(": [{"path": "/a", "method": "", "add_headers": {"X-A": "1"}}])")),
             version(ext("\"" + list + "\": [" + add + "]", false))}};
}

Examples tlsTransport(const std::string & setting)
{
    return {{proxy(R"("target_url": "https://127.0.0.1:9", "transport": {)" + setting + "}")},
            {proxy(R"("transport": {)" + setting + "}")}};
}

Examples tlsTopLevel(const std::string & members)
{
    return {{Example{members, R"("target_url": "https://127.0.0.1:9")", ""}}, {top(members)}};
}

/// Load balancing with hosts checked against uptime tests.
const char * const kUptimeSteering
    = R"("enable_load_balancing": true, "target_list": ["127.0.0.1:9"], "check_host_against_uptime_tests": true)";

const std::map<std::string, Examples> & apiExamples()
{
    static const std::map<std::string, Examples> examples = {
        {"api:version_data.not_versioned",
         {{top(R"("version_data": {"not_versioned": false, "versions": {"v1": {}}})")},
          {top(R"("version_data": {"not_versioned": true, "versions": {"v1": {}}})")}}},
        {"api:definition",
         {{top(R"("definition": {"enabled": true, "location": "header", "versions": {"v2": "b"}})")},
          {top(R"("definition": {"enabled": false, "location": "header", "key": "x-api-version"})")}}},
        {"api:listen_port", {{top(R"("listen_port": 9999)")}, {top(R"("listen_port": 0)")}}},
        {"api:protocol", {{top(R"("protocol": "tcp")"), top(R"("protocol": "https")")},
                          {top(R"("protocol": "http")"), top(R"("protocol": "")")}}},
        {"api:enable_proxy_protocol",
         {{top(R"("enable_proxy_protocol": true)")}, {top(R"("enable_proxy_protocol": false)")}}},
        {"api:application_protocol", {{top(R"("application_protocol": "mcp")")}, {top(R"("application_protocol": "")")}}},
        {"api:json_rpc_version", {{top(R"("json_rpc_version": "2.0")")}, {top(R"("json_rpc_version": "")")}}},
        {"api:expiration", {{top(R"("expiration": "2030-01-02 15:04")")},
                            {top(R"("expiration": "")"), top(R"("expiration": "-1")")}}},
        {"api:use_keyless", {{top(R"("use_keyless": false)")}, {top(R"("use_keyless": true)")}}},
        {"api:use_standard_auth", authFlag("use_standard_auth")},
        {"api:enable_jwt", authFlag("enable_jwt")},
        {"api:use_basic_auth", authFlag("use_basic_auth")},
        {"api:use_oauth2", authFlag("use_oauth2")},
        {"api:use_openid", authFlag("use_openid")},
        {"api:enable_signature_checking", authFlag("enable_signature_checking")},
        {"api:custom_plugin_auth_enabled", authFlag("custom_plugin_auth_enabled")},
        {"api:enable_coprocess_auth", authFlag("enable_coprocess_auth")},
        {"api:use_go_plugin_auth", authFlag("use_go_plugin_auth")},
        {"api:external_oauth", {{top(R"("use_keyless": false, "external_oauth": {"enabled": true})")},
                                {top(R"("use_keyless": true, "external_oauth": {"enabled": true})")}}},
        {"api:use_mutual_tls_auth", {{top(R"("use_mutual_tls_auth": true)")},
                                     {top(R"("use_mutual_tls_auth": false, "client_certificates": ["c1"])")}}},
        {"api:allowed_ips",
         {{top(R"("allowed_ips": ["10.0.0.1"])"), top(R"("enable_ip_whitelisting": false, "allowed_ips": ["10.0.0.0/8"])"),
           top(R"("enable_ip_whitelisting": true, "ip_access_control_disabled": true, "allowed_ips": ["10.0.0.1"])")},
          {top(R"("allowed_ips": [])"), top(R"("enable_ip_whitelisting": true, "allowed_ips": [])"),
           top(R"("ip_access_control_disabled": true, "allowed_ips": ["10.0.0.1"])")}}},
        {"api:blacklisted_ips",
         {{top(R"("blacklisted_ips": ["10.0.0.1"])"), top(R"("enable_ip_blacklisting": false, "blacklisted_ips": ["::1"])")},
          {top(R"("blacklisted_ips": [])"), top(R"("ip_access_control_disabled": true, "blacklisted_ips": ["10.0.0.1"])")}}},
        {"api:global_rate_limit",
         {{top(R"("global_rate_limit": {"rate": 10, "per": 1})")},
          {top(R"("global_rate_limit": {"rate": 10, "per": 1, "disabled": true})"),
           top(R"("global_rate_limit": {"rate": 10, "per": 1}, "disable_rate_limit": true)"),
           top(R"("global_rate_limit": {"rate": 0, "per": 1})")}}},
        {"api:CORS", {{top(R"("CORS": {"enable": true})")},
                      {top(R"("CORS": {"enable": false, "allowed_origins": ["*"], "options_passthrough": true})")}}},
        {"api:cache_options",
         {{top(R"("cache_options": {"enable_cache": true, "cache_all_safe_requests": true})"),
           top(R"("cache_options": {"enable_cache": true, "enable_upstream_cache_control": true})")},
          {top(R"("cache_options": {"enable_cache": false, "cache_all_safe_requests": true})"),
           top(R"("cache_options": {"enable_cache": true})")}}},
        {"api:error_overrides",
         {{top(R"("error_overrides": {"404": [{"response": {"code": 404, "body": "gone"}}]})")},
          {top(R"("error_overrides": {})"),
           top(R"("error_overrides": {"404": [{"response": {"code": 404}}]}, "error_overrides_disabled": true)")}}},
        {"api:response_processors",
         {{top(R"("response_processors": [{"name": "header_injector", "options": {"add_headers": {"X-A": "1"}}}])")},
          {top(R"("response_processors": [])")}}},
        {"api:custom_middleware",
         {{top(R"("custom_middleware": {"pre": [{"name": "f", "path": "f.js"}]})"),
           top(R"("custom_middleware": {"driver": "grpc", "response": [{"name": "g"}]})")},
          {top(R"("custom_middleware": {"pre": [{"name": "f", "disabled": true}], "post_key_auth": [{"name": "k"}]})"),
           top(R"("custom_middleware": {"pre": [], "post": [], "driver": "otto"})")}}},
        {"api:custom_middleware_bundle",
         {{top(R"("custom_middleware_bundle": "bundle.zip")")},
          {top(R"("custom_middleware_bundle": "")"),
           top(R"("custom_middleware_bundle": "bundle.zip", "custom_middleware_bundle_disabled": true)")}}},
        {"api:graphql",
         {{top(R"("graphql": {"enabled": true})")}, {top(R"("graphql": {"enabled": false, "schema": "x"})")}}},
        {"api:enable_batch_request_support",
         {{top(R"("enable_batch_request_support": true)")}, {top(R"("enable_batch_request_support": false)")}}},
        {"api:request_signing", {{top(R"("request_signing": {"is_enabled": true})")},
                                 {top(R"("request_signing": {"is_enabled": false, "secret": "s"})")}}},
        {"api:upstream_auth",
         {{top(R"("upstream_auth": {"enabled": true, "basic_auth": {"enabled": true, "username": "u"}})"),
           top(R"("upstream_auth": {"enabled": true, "oauth": {"enabled": true}})")},
          {top(R"("upstream_auth": {"enabled": false, "basic_auth": {"enabled": true}})"),
           top(R"("upstream_auth": {"enabled": true})")}}},
        {"api:proxy.transport.proxy_url",
         {{proxy(R"("transport": {"proxy_url": "http://egress:3128"})")}, {proxy(R"("transport": {"proxy_url": ""})")}}},
        {"api:proxy.transport.ssl_insecure_skip_verify", tlsTransport(R"("ssl_insecure_skip_verify": true)")},
        {"api:proxy.transport.ssl_ciphers", tlsTransport(R"("ssl_ciphers": ["TLS_RSA_WITH_AES_128_CBC_SHA"])")},
        {"api:proxy.transport.ssl_min_version", tlsTransport(R"("ssl_min_version": 772)")},
        {"api:proxy.transport.ssl_max_version", tlsTransport(R"("ssl_max_version": 771)")},
        {"api:proxy.transport.ssl_force_common_name_check", tlsTransport(R"("ssl_force_common_name_check": true)")},
        {"api:upstream_certificates",
         tlsTopLevel(R"("upstream_certificates": {"*": "cert-id"})")},
        {"api:pinned_public_keys", tlsTopLevel(R"("pinned_public_keys": {"*": "key-id"})")},
        {"api:proxy.service_discovery",
         {{proxy(R"("service_discovery": {"use_discovery_service": true, "query_endpoint": "http://sd/x"})")},
          {proxy(R"("service_discovery": {"use_discovery_service": false, "query_endpoint": "http://sd/x"})")}}},
        {"api:proxy.check_host_against_uptime_tests",
         {{Example{R"("uptime_tests": {"check_list": [{"url": "http://127.0.0.1:9/health"}]})",
                   kUptimeSteering,
                   ""}},
          {Example{R"("uptime_tests": {"check_list": [{"url": "http://127.0.0.1:9/health"}]})",
                   R"("check_host_against_uptime_tests": true)", ""},
           Example{R"("uptime_tests": {"disabled": true, "check_list": [{"url": "http://127.0.0.1:9/health"}]})",
                   kUptimeSteering,
                   ""},
           Example{R"("uptime_tests": {"check_list": []})",
                   kUptimeSteering,
                   ""}}}},
    };
    return examples;
}

const std::map<std::string, Examples> & versionExamples()
{
    static const std::map<std::string, Examples> examples = [] {
        std::map<std::string, Examples> m = {
            {"version:expires", {{version(R"("expires": "2030-01-02 15:04")")},
                                 {version(R"("expires": "")"), version(R"("expires": "-1")")}}},
            {"version:paths.white_list",
             {{version(R"("paths": {"white_list": ["/a"]})")},
              {version(R"("paths": {"white_list": []})"),
               version(R"("use_extended_paths": true, "paths": {"white_list": ["/a"]})")}}},
            {"version:paths.black_list",
             {{version(R"("paths": {"black_list": ["/a"]})")},
              {version(R"("paths": {"black_list": [], "ignored": ["/b"]})"),
               version(R"("use_extended_paths": true, "paths": {"black_list": ["/a"]})")}}},
            {"version:global_headers",
             {{version(R"("global_headers": {"X-A": "1"})")},
              {version(R"("global_headers": {})"),
               version(R"("global_headers": {"X-A": "1"}, "global_headers_disabled": true)")}}},
            {"version:global_headers_remove",
             {{version(R"("global_headers_remove": ["Authorization"])")},
              {version(R"("global_headers_remove": [])"),
               version(R"("global_headers_remove": ["X-A"], "global_headers_disabled": true)")}}},
            {"version:global_response_headers",
             {{version(R"("global_response_headers": {"X-A": "1"})")},
              {version(R"("global_response_headers": {})"),
               version(R"("global_response_headers": {"X-A": "1"}, "global_response_headers_disabled": true)")}}},
            {"version:global_response_headers_remove",
             {{version(R"("global_response_headers_remove": ["Server"])")},
              {version(R"("global_response_headers_remove": [])"),
               version(R"("global_response_headers_remove": ["X-A"], "global_response_headers_disabled": true)")}}},
            {"version:global_size_limit",
             {{version(R"("global_size_limit": 1024)"),
               version(R"("global_size_limit": 1024, "global_size_limit_disabled": true, )"
                       + ext(R"("size_limits": [{"path": "/a", "method": "", "size_limit": 10}])"))},
              {version(R"("global_size_limit": 0)"),
               version(R"("global_size_limit": 1024, "global_size_limit_disabled": true)")}}},
            {"version:override_target", {{version(R"("override_target": "http://127.0.0.1:10")")},
                                         {version(R"("override_target": "")")}}},
            {"version:global_enforce_timeout",
             {{version(R"("global_enforce_timeout": 5)"), version(R"("global_enforce_timeout": "1.5s")")},
              {version(R"("global_enforce_timeout": 0)"),
               version(R"("global_enforce_timeout": 5, "global_enforce_timeout_disabled": true)")}}},
            {"endpoint:ignored.method_actions",
             {{version(ext(R"("ignored": [{"path": "/a",
                                            "method_actions": {"GET": {"action": "reply", "code": 200, "data": "x"}}}])"))},
              {version(ext(R"("ignored": [{"path": "/a", "method": "GET"}])")),
               version(ext(R"("ignored": [{"path": "/a", "method_actions": {"GET": {"action": "no_action"}}}])"))}}},
            {"endpoint:white_list",
             {{version(ext(R"("white_list": [{"path": "/a", "method": "GET"}])")),
               version(ext(R"("white_list": [{"path": "/a"}])"))},
              {version(ext(R"("white_list": [{"path": "/a", "disabled": true}])")),
               version(ext(R"("white_list": [{"path": "/a"}])", false))}}},
            {"endpoint:black_list",
             {{version(ext(R"("black_list": [{"path": "/a"}])")),
               version(ext(R"("black_list": [{"path": "/a", "method_actions": {"GET": {"action": "no_action"}}}])"))},
              {version(ext(R"("black_list": [{"path": "/a", "disabled": true}])")),
               version(ext(R"("black_list": [{"path": "/a", "method_actions": {}}])")),
               version(ext(R"("black_list": [{"path": "/a"}])", false))}}},
            {"endpoint:cache",
             {{Example{R"("cache_options": {"enable_cache": true})", "", ext(R"("cache": ["/a"])")}},
              {version(ext(R"("cache": ["/a"])")),
               Example{R"("cache_options": {"enable_cache": true})", "", ext(R"("cache": [])")}}}},
            {"endpoint:advance_cache_config",
             {{Example{R"("cache_options": {"enable_cache": true})", "",
                       ext(R"("advance_cache_config": [{"path": "/a", "method": "GET"}])")}},
              {version(ext(R"("advance_cache_config": [{"path": "/a", "method": "GET"}])")),
               Example{R"("cache_options": {"enable_cache": true})", "",
                       ext(R"("advance_cache_config": [{"path": "/a", "method": "GET", "disabled": true}])")}}}},
            {"endpoint:transform_headers", headerList("transform_headers")},
            {"endpoint:transform_response_headers", headerList("transform_response_headers")},
            {"endpoint:validate_request",
             {{version(ext(R"("validate_request": [{"path": "/a", "method": "POST", "enabled": true}])"))},
              {version(ext(R"("validate_request": [{"path": "/a", "method": "POST", "enabled": false}])")),
               version(ext(R"("validate_request": [{"path": "/a", "method": "", "enabled": true}])"))}}},
            {"endpoint:rate_limit",
             {{version(ext(R"("rate_limit": [{"path": "/a", "method": "GET", "rate": 10, "per": 1}])"))},
              {version(ext(R"("rate_limit": [{"path": "/a", "method": "GET", "rate": 0, "per": 1}])")),
               version(ext(R"("rate_limit": [{"path": "/a", "method": "GET", "rate": 10, "per": 0}])")),
               version(ext(R"("rate_limit": [{"path": "/a", "method": "", "rate": 10, "per": 1}])")),
               Example{R"("disable_rate_limit": true)", "",
                       ext(R"("rate_limit": [{"path": "/a", "method": "GET", "rate": 10, "per": 1}])")}}}},
        };
        for (const char * list : {"mock_response", "transform", "transform_response", "hard_timeouts", "circuit_breakers",
                                  "url_rewrites", "virtual", "size_limits", "method_transforms", "validate_json",
                                  "internal", "go_plugin"})
            m[std::string("endpoint:") + list] = methodList(list);
        for (const char * list : {"transform_jq", "transform_jq_response", "persist_graphql"})
            m[std::string("endpoint:") + list] = methodOnlyList(list);
        return m;
    }();
    return examples;
}

/// Gateway examples: extra members of tyk.conf, active then inactive.
const std::map<std::string, std::pair<std::string, std::vector<std::string>>> & gatewayExamples()
{
    static const std::map<std::string, std::pair<std::string, std::vector<std::string>>> examples = {
        {"gateway:use_db_app_configs", {R"("use_db_app_configs": true)", {R"("use_db_app_configs": false)"}}},
        {"gateway:slave_options.use_rpc",
         {R"("slave_options": {"use_rpc": true})", {R"("slave_options": {"use_rpc": false, "rpc_key": "k"})"}}},
        {"gateway:control_api_port",
         {R"("control_api_port": 9696)", {R"("control_api_port": 0)", R"("control_api_hostname": "c")"}}},
        {"gateway:security.control_api_use_mutual_tls",
         {R"("security": {"control_api_use_mutual_tls": true})", {R"("security": {"control_api_use_mutual_tls": false})"}}},
        {"gateway:http_server_options.use_ssl",
         {R"("http_server_options": {"use_ssl": true})",
          {R"("http_server_options": {"use_ssl": false, "enable_http2": true})"}}},
        {"gateway:error_overrides",
         {R"("error_overrides": {"5xx": [{"response": {"code": 503}}]})", {R"("error_overrides": {})"}}},
        {"gateway:enforce_org_quotas",
         {R"("enforce_org_quotas": true)", {R"("enforce_org_quotas": false, "experimental_process_org_off_thread": true)"}}},
    };
    return examples;
}

/// The key path an active example must be blamed on: the field's path under its level's object.
std::string expectedKey(const TykField & field)
{
    switch (field.level)
    {
        case FieldLevel::Version: return std::string("version_data.versions.Default.") + field.path;
        case FieldLevel::Endpoint: return std::string("version_data.versions.Default.extended_paths.") + field.path;
        default: return field.path;
    }
}

/// "a.b[2].c" -> "a.b.c": array indices say which entry, the test only checks which field.
std::string withoutIndices(const std::string & key)
{
    return std::regex_replace(key, std::regex(R"(\[\d+\])"), "");
}

::testing::AssertionResult blamedOn(const ConfigError & e, const std::string & file, const std::string & key)
{
    std::string field = withoutIndices(e.key());
    if (e.file() != file)
        return ::testing::AssertionFailure() << "names " << e.file() << ", not " << file << ": " << e.what();
    if (field != key && field.rfind(key + ".", 0) != 0)
        return ::testing::AssertionFailure() << "names key " << e.key() << ", not " << key << ": " << e.what();
    return ::testing::AssertionSuccess();
}

std::optional<ConfigError> loadApi(const std::string & text, std::string * path = nullptr)
{
    ConfigDir dir;
    std::string written = dir.writeApi("a.json", text);
    if (path)
        *path = written;
    return configErrorOf([&] { loadPlan(dir.writeGateway(), {}); });
}

bool isSubPathOf(const std::string & path, const std::string & parent)
{
    return path == parent || path.rfind(parent + ".", 0) == 0;
}

std::vector<std::pair<FieldLevel, const std::vector<const char *> *>> structKeys()
{
    return {{FieldLevel::Api, &tyk_keys::kApiDefinition},
            {FieldLevel::Version, &tyk_keys::kVersionInfo},
            {FieldLevel::Endpoint, &tyk_keys::kExtendedPaths},
            {FieldLevel::Gateway, &tyk_keys::kGatewayConfig}};
}

}

TEST(TykFieldPolicy, EveryKeyOfTyksStructsIsClassified)
{
    for (const auto & [level, keys] : structKeys())
        for (const char * key : *keys)
            EXPECT_NE(findTykField(level, key), nullptr) << levelName(level) << " key " << key << " is not classified";
}

TEST(TykFieldPolicy, EveryEntryNamesAKeyOfTyksStructs)
{
    /// Catches a misspelt entry, which would classify nothing.
    for (const TykField & field : tykFields())
    {
        bool known = false;
        for (const auto & [level, keys] : structKeys())
            for (const char * key : *keys)
                known = known || (level == field.level && (isSubPathOf(field.path, key) || isSubPathOf(key, field.path)));
        EXPECT_TRUE(known) << id(field) << " is not a key of Tyk's structs";
    }
}

TEST(TykFieldPolicy, EntriesAreUniqueAndComplete)
{
    std::set<std::string> seen;
    for (const TykField & field : tykFields())
    {
        EXPECT_TRUE(seen.insert(id(field)).second) << id(field) << " is classified twice";
        EXPECT_FALSE(std::string(field.note).empty()) << id(field) << " has no note";
        bool refused = field.verdict == Verdict::RefusedWhenActive;
        bool gateway = field.level == FieldLevel::Gateway;
        EXPECT_EQ(refused && !gateway, field.api_rule != nullptr) << id(field);
        EXPECT_EQ(refused && gateway, field.gateway_rule != nullptr) << id(field);
    }
}

TEST(TykFieldPolicy, NoRefusalSuggestsWeakeningProtection)
{
    /// A refusal says what is missing. Advice to go keyless, or to switch a rule off, would open what the
    /// definition protects.
    const std::vector<std::string> suggestions = {"use_keyless", "keyless", "set ", "disable", "remove", "turn off",
                                                  "false", "instead"};
    for (const TykField & field : tykFields())
    {
        if (field.verdict != Verdict::RefusedWhenActive)
            continue;
        std::string reason = Poco::toLower(std::string(field.note));
        for (const std::string & suggestion : suggestions)
            EXPECT_EQ(reason.find(suggestion), std::string::npos) << id(field) << ": " << field.note;
        EXPECT_NE(reason.find("not supported"), std::string::npos) << id(field) << " does not say what is missing";
    }
}

TEST(TykFieldPolicy, EveryRefusedApiFieldIsRefusedWhenTykAppliesIt)
{
    size_t walked = 0;
    for (const TykField & field : tykFields())
    {
        if (field.verdict != Verdict::RefusedWhenActive || field.level == FieldLevel::Gateway)
            continue;
        const std::map<std::string, Examples> & examples
            = field.level == FieldLevel::Api ? apiExamples() : versionExamples();
        auto it = examples.find(id(field));
        if (it == examples.end())
        {
            ADD_FAILURE() << id(field) << " has no example: add one that activates it";
            continue;
        }
        ASSERT_FALSE(it->second.active.empty()) << id(field);
        for (const Example & example : it->second.active)
        {
            std::string text = definition(example);
            std::string path;
            std::optional<ConfigError> e = loadApi(text, &path);
            ASSERT_TRUE(e) << id(field) << " was not refused: " << text;
            EXPECT_TRUE(blamedOn(*e, path, expectedKey(field))) << text;
            EXPECT_EQ(e->reason(), field.note) << text;
        }
        ASSERT_FALSE(it->second.inactive.empty()) << id(field) << ": give a form Tyk does not apply";
        for (const Example & example : it->second.inactive)
        {
            std::string text = definition(example);
            std::optional<ConfigError> e = loadApi(text);
            EXPECT_FALSE(e) << id(field) << ": a form Tyk does not apply was refused: " << text << "\n" << e->what();
        }
        ++walked;
    }
    EXPECT_GE(walked, 60u);
}

TEST(TykFieldPolicy, EveryRefusedGatewayFieldIsRefusedWhenTykAppliesIt)
{
    for (const TykField & field : tykGatewayFields())
    {
        if (field.verdict != Verdict::RefusedWhenActive)
            continue;
        auto it = gatewayExamples().find(id(field));
        if (it == gatewayExamples().end())
        {
            ADD_FAILURE() << id(field) << " has no example: add one that activates it";
            continue;
        }
        ConfigDir dir;
        std::string conf = dir.writeGateway(it->second.first);
        std::optional<ConfigError> e = configErrorOf([&] { loadPlan(conf, {}); });
        ASSERT_TRUE(e) << id(field) << " was not refused: " << it->second.first;
        EXPECT_EQ(e->file(), conf);
        EXPECT_EQ(e->key(), field.path);
        EXPECT_EQ(e->reason(), field.note);
        for (const std::string & inactive : it->second.second)
        {
            ConfigDir ok;
            std::string ok_conf = ok.writeGateway(inactive);
            std::optional<ConfigError> refused = configErrorOf([&] { loadPlan(ok_conf, {}); });
            EXPECT_FALSE(refused) << id(field) << ": " << inactive << "\n" << refused->what();
        }
    }
}

TEST(TykFieldPolicy, AGatewayFieldSetByAVariableIsBlamedOnTheVariable)
{
    ConfigDir dir;
    std::string conf = dir.writeGateway(R"("control_api_port": 0)");
    std::optional<ConfigError> e = configErrorOf([&] { loadPlan(conf, {{"TYK_GW_CONTROLAPIPORT", "9696"}}); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->file(), "environment");
    EXPECT_EQ(e->key(), "TYK_GW_CONTROLAPIPORT");
    EXPECT_EQ(loadPlan(dir.writeGateway(R"("enforce_org_quotas": true)"), {{"TYK_GW_ENFORCEORGQUOTAS", "false"}})
                  ->apis.size(),
              0u);
}

TEST(TykFieldPolicy, OnlyTheVersionTykServesIsChecked)
{
    std::string black_list = R"({"paths": {"black_list": ["/admin"]}})";
    /// Tyk serves "Default" of two versions; rules of the other one are never applied.
    EXPECT_FALSE(loadApi(definition(top(R"("version_data": {"not_versioned": true, "versions": {"Default": {}, "old": )"
                                        + black_list + "}}"))));
    std::optional<ConfigError> e = loadApi(definition(
        top(R"("version_data": {"not_versioned": true, "versions": {"Default": )" + black_list + R"(, "old": {}}})")));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "version_data.versions.Default.paths.black_list");
    /// One version, whatever its name, is the one served.
    e = loadApi(definition(top(R"("version_data": {"not_versioned": true, "versions": {"v1": )" + black_list + "}}")));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "version_data.versions.v1.paths.black_list");
    /// No version served: every request gets 403, so no rule applies.
    EXPECT_FALSE(loadApi(definition(top(R"("version_data": {"not_versioned": true, "versions": {"v1": )" + black_list
                                        + R"(, "v2": {}}})"))));
}

TEST(TykFieldPolicy, UpstreamTlsSettingsCountOnlyForTlsUpstreams)
{
    /// With an https upstream (refused on its own) a TLS setting is named first; switched off, it is not, and
    /// the upstream is.
    Example pinned{R"("pinned_public_keys": {"*": "key-id"})", R"("target_url": "https://127.0.0.1:9")", ""};
    std::optional<ConfigError> e = loadApi(definition(pinned));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "pinned_public_keys");
    pinned.top += R"(, "certificate_pinning_disabled": true)";
    e = loadApi(definition(pinned));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "proxy.target_url");
    /// A load-balanced https target counts too.
    e = loadApi(definition(proxy(R"("enable_load_balancing": true, "target_list": ["h:1", "https://h:2"],
                                    "transport": {"ssl_insecure_skip_verify": true})")));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "proxy.transport.ssl_insecure_skip_verify");
}

TEST(TykFieldPolicy, KeysAreMatchedCaseInsensitivelyAsGoDoes)
{
    std::optional<ConfigError> e = loadApi(definition(top(R"("Allowed_IPs": ["10.0.0.1"])")));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "Allowed_IPs");
    e = loadApi(definition(top(R"("cors": {"Enable": true})")));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "cors.Enable");
}

TEST(TykFieldPolicy, TheRefusalNamesTheActiveEntry)
{
    std::optional<ConfigError> e = loadApi(definition(version(ext(R"("size_limits": [
        {"path": "/a", "method": "", "size_limit": 1}, {"path": "/b", "method": "POST", "size_limit": 1}])"))));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "version_data.versions.Default.extended_paths.size_limits[1]");
}

TEST(TykFieldPolicy, TheDocumentationListsEveryEntry)
{
    std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/docs/tyk-fields.md");
    ASSERT_TRUE(in) << "docs/tyk-fields.md is missing";
    std::stringstream text;
    text << in.rdbuf();
    std::map<Verdict, std::string> labels = {{Verdict::Implemented, "implemented"},
                                             {Verdict::RefusedWhenActive, "refused"},
                                             {Verdict::Ignorable, "ignorable"}};
    for (const TykField & field : tykFields())
    {
        std::string row = "| " + std::string(levelName(field.level)) + " | `" + field.path + "` | "
            + labels[field.verdict] + " | " + field.note + " |";
        EXPECT_NE(text.str().find(row), std::string::npos) << "docs/tyk-fields.md lacks the row\n" << row;
    }
}
