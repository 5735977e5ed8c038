#include "ConfigTestSupport.h"

#include <filesystem>

using namespace sluice;
using namespace sluice::test;

namespace
{

/// Loads dir's gateway file (plus `gateway_members`) and returns the plan.
PlanPtr loadDir(const ConfigDir & dir, const Environment & env = {}, const std::string & gateway_members = "")
{
    return loadPlan(dir.writeGateway(gateway_members), env);
}

/// The ConfigError loading `dir` gives (or a failed assertion when it loads).
ConfigError loadError(const ConfigDir & dir, const std::string & gateway_members = "")
{
    std::optional<ConfigError> e = configErrorOf([&] { loadDir(dir, {}, gateway_members); });
    if (!e)
    {
        ADD_FAILURE() << "expected a ConfigError";
        return ConfigError("", "", "");
    }
    return *e;
}

std::vector<std::string> apiIds(const Plan & plan)
{
    std::vector<std::string> ids;
    for (const ApiDefinition & api : plan.apis)
        ids.push_back(api.api_id);
    return ids;
}

}

TEST(ApiDefinitions, LoadInLexicalOrderSkippingCompanionsAndNonJson)
{
    ConfigDir dir;
    dir.writeApi("b.json", keylessApi("b", "/b/"));
    dir.writeApi("a.json", keylessApi("a", "/a/"));
    dir.writeApi("a-oas.json", "not JSON at all");
    dir.writeApi("a-mcp.json", "not JSON at all");
    dir.writeApi("notes.txt", "not JSON at all");
    dir.writeApi("B.json", keylessApi("upper", "/upper/")); /// 'B' < 'a' in byte order, as in Go
    std::filesystem::create_directory(dir.apps() + "/dir.json");
    EXPECT_EQ(apiIds(*loadDir(dir)), (std::vector<std::string>{"upper", "a", "b"}));
}

TEST(ApiDefinitions, KeepsSourceFileAndRawJson)
{
    ConfigDir dir;
    std::string text = keylessApi("a", "/a/", R"("org_id": "org1", "domain": "a.example")");
    std::string path = dir.writeApi("a.json", text);
    const ApiDefinition api = loadDir(dir)->apis.at(0);
    EXPECT_EQ(api.source_file, path);
    EXPECT_EQ(api.raw_json, text);
    EXPECT_EQ(api.org_id, "org1");
    EXPECT_EQ(api.domain, "a.example");
}

TEST(ApiDefinitions, EnvReferencesAreExpandedInTheRawText)
{
    ConfigDir dir;
    dir.writeApi("a.json", R"({"api_id": "a", "use_keyless": true,
        "proxy": {"listen_path": "env://LP", "target_url": "http://env://UPSTREAM/base"}})");
    const ApiDefinition api = loadDir(dir, {{"LP", "/live/"}, {"UPSTREAM", "127.0.0.1:9555"}})->apis.at(0);
    EXPECT_EQ(api.listen_path, "/live/");
    EXPECT_EQ(api.target.port, 9555);
    EXPECT_EQ(api.target.path, "/base");
    EXPECT_NE(api.raw_json.find("127.0.0.1:9555"), std::string::npos);
}

TEST(ApiDefinitions, InactiveApisAreSkippedUnchecked)
{
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("a", "/a/"));
    /// Sluice honours active:false (Tyk does not); the rest of a skipped definition is not validated.
    dir.writeApi("off.json", R"({"api_id": "off", "active": false, "use_keyless": false,
        "proxy": {"target_url": "https://x"}})");
    EXPECT_EQ(apiIds(*loadDir(dir)), std::vector<std::string>{"a"});
}

TEST(ApiDefinitions, InternalApisAreSkipped)
{
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("a", "/a/"));
    dir.writeApi("i.json", keylessApi("i", "/a/", R"("internal": true)")); /// would clash if it were loaded
    EXPECT_EQ(apiIds(*loadDir(dir)), std::vector<std::string>{"a"});
}

TEST(ApiDefinitions, ActiveTrueIsLoaded)
{
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("a", "/a/", R"("active": true, "internal": false)"));
    EXPECT_EQ(apiIds(*loadDir(dir)), std::vector<std::string>{"a"});
}

TEST(ApiDefinitions, AuthenticatedApisAreRefusedNotServedOpen)
{
    struct Case
    {
        std::string members;
        std::string key;
        std::string mode; /// how the reason starts: the mode Tyk would apply
    };
    for (const Case & c : {Case{R"("use_keyless": false)", "use_keyless", "token authentication (Tyk's default"},
                           Case{R"("use_standard_auth": true)", "use_standard_auth", "token authentication"},
                           Case{R"("use_keyless": false, "enable_jwt": true)", "enable_jwt", "JWT authentication"},
                           Case{R"("use_basic_auth": true)", "use_basic_auth", "basic authentication"},
                           Case{R"("use_oauth2": true)", "use_oauth2", "OAuth 2.0 authentication"},
                           Case{R"("enable_signature_checking": true)", "enable_signature_checking", "HMAC"},
                           Case{R"("use_openid": true)", "use_openid", "OpenID Connect authentication"},
                           Case{R"("custom_plugin_auth_enabled": true)", "custom_plugin_auth_enabled",
                                "custom plugin authentication"},
                           Case{R"("use_keyless": true, "use_mutual_tls_auth": true)", "use_mutual_tls_auth",
                                "mutual TLS"}})
    {
        ConfigDir dir;
        std::string path = dir.writeApi("auth.json", R"({"api_id": "auth", )" + c.members
                                                         + R"(, "proxy": {"listen_path": "/p/", "target_url": "http://h"}})");
        ConfigError e = loadError(dir);
        EXPECT_EQ(e.file(), path);
        EXPECT_EQ(e.key(), c.key) << c.members;
        EXPECT_EQ(e.reason().rfind(c.mode, 0), 0u) << e.reason();
        EXPECT_NE(e.reason().find("refused rather than served unprotected"), std::string::npos) << e.reason();
        EXPECT_EQ(e.reason().find("use_keyless"), std::string::npos) << "must not advise going keyless: " << e.reason();
    }
}

TEST(ApiDefinitions, AuthFlagsOfAKeylessApiAreNotApplied)
{
    /// Tyk builds no authentication chain for a keyless API, so these flags change nothing there.
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("a", "/a/", R"("enable_jwt": true, "use_standard_auth": true, "use_basic_auth": true)"));
    EXPECT_EQ(loadDir(dir)->apis.size(), 1u);
}

TEST(ApiDefinitions, DomainDisabledDropsTheDomain)
{
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("a", "/a/", R"("domain": "a.example", "domain_disabled": true)"));
    EXPECT_EQ(loadDir(dir)->apis.at(0).domain, "");
}

TEST(ApiDefinitions, ListenPathClashNamesBothFiles)
{
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("x", "/sse/"));
    std::string second = dir.writeApi("b.json", keylessApi("y", "/sse//"));
    ConfigError e = loadError(dir);
    EXPECT_EQ(e.file(), second);
    EXPECT_EQ(e.key(), "proxy.listen_path");
    EXPECT_EQ(e.reason(), R"("/sse/" is already used by API "x" (a.json))");
}

TEST(ApiDefinitions, DomainsSeparateListenPathsOnlyWithCustomDomains)
{
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("a", "/sse/", R"("domain": "a.example")"));
    dir.writeApi("b.json", keylessApi("b", "/sse/", R"("domain": "b.example")"));
    EXPECT_EQ(loadDir(dir, {}, R"("enable_custom_domains": true)")->apis.size(), 2u);
    EXPECT_EQ(loadError(dir).key(), "proxy.listen_path"); /// without custom domains both answer on any host

    dir.writeApi("c.json", keylessApi("c", "/sse/", R"("domain": "a.example")"));
    ConfigError e = loadError(dir, R"("enable_custom_domains": true)");
    EXPECT_EQ(e.reason(), R"("/sse/" on domain "a.example" is already used by API "a" (a.json))");
}

TEST(ApiDefinitions, DuplicateApiIdIsRefused)
{
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("same", "/a/"));
    std::string second = dir.writeApi("b.json", keylessApi("same", "/b/"));
    ConfigError e = loadError(dir);
    EXPECT_EQ(e.file(), second);
    EXPECT_EQ(e.key(), "api_id");
    EXPECT_EQ(e.reason(), R"("same" is already used by a.json)");
}

TEST(ApiDefinitions, ApiIdMustBeUsableAsAFileName)
{
    for (const char * id : {"", "a/b", "a\\\\b", ".", ".."})
    {
        ConfigDir dir;
        dir.writeApi("a.json", keylessApi(id, "/a/"));
        EXPECT_EQ(loadError(dir).key(), "api_id") << id;
    }
}

TEST(ApiDefinitions, HttpsTargetsAreRefused)
{
    for (const char * url : {"https://127.0.0.1:8443", "wss://h/x", "HTTPS://h"})
    {
        ConfigDir dir;
        std::string path = dir.writeApi("a.json", R"({"api_id": "a", "use_keyless": true,
            "proxy": {"listen_path": "/a/", "target_url": ")" + std::string(url) + R"("}})");
        ConfigError e = loadError(dir);
        EXPECT_EQ(e.file(), path);
        EXPECT_EQ(e.key(), "proxy.target_url");
        EXPECT_EQ(e.reason(), "https upstreams are not supported yet");
    }
}

TEST(ApiDefinitions, TargetWithPathAndQueryIsSplit)
{
    ConfigDir dir;
    dir.writeApi("a.json", R"({"api_id": "a", "use_keyless": true,
        "proxy": {"listen_path": "/a/", "target_url": "http://Up.Example:9000/base/x?k=1&j=2#frag"}})");
    const UpstreamTarget t = loadDir(dir)->apis.at(0).target;
    EXPECT_EQ(t.url, "http://Up.Example:9000/base/x?k=1&j=2#frag");
    EXPECT_EQ(t.host, "Up.Example");
    EXPECT_EQ(t.port, 9000);
    EXPECT_EQ(t.host_header, "Up.Example:9000");
    EXPECT_EQ(t.path, "/base/x");
    EXPECT_EQ(t.query, "k=1&j=2");
}

TEST(ApiDefinitions, RequiredProxyFieldsAreChecked)
{
    struct Case
    {
        std::string proxy;
        std::string key;
        std::string reason;
    };
    for (const Case & c : {Case{R"("target_url": "http://h")", "proxy.listen_path", "is missing or empty"},
                           Case{R"("listen_path": "", "target_url": "http://h")", "proxy.listen_path", "is missing or empty"},
                           Case{R"("listen_path": "/a b/", "target_url": "http://h")", "proxy.listen_path",
                                R"("/a b/" contains spaces)"},
                           Case{R"("listen_path": "/users/{id}/", "target_url": "http://h")", "proxy.listen_path",
                                R"("/users/{id}/": path variables ({...}) are not supported yet)"},
                           Case{R"("listen_path": "/a/")", "proxy.target_url", "is missing or empty"},
                           Case{R"("listen_path": "/a/", "target_url": "ftp://h")", "proxy.target_url",
                                R"(unsupported scheme "ftp" (expected http or ws))"},
                           Case{R"("listen_path": "/a/", "strip_listen_path": "yes", "target_url": "http://h")",
                                "proxy.strip_listen_path", R"(expected a boolean, got string "yes")"}})
    {
        ConfigDir dir;
        dir.writeApi("a.json", R"({"api_id": "a", "use_keyless": true, "proxy": {)" + c.proxy + "}}");
        ConfigError e = loadError(dir);
        EXPECT_EQ(e.key(), c.key) << c.proxy;
        EXPECT_EQ(e.reason(), c.reason) << c.proxy;
    }
}

TEST(ApiDefinitions, ListenPathsAreNormalised)
{
    std::pair<const char *, const char *> cases[] = {
        {"sse", "/sse"}, {"/sse/", "/sse/"}, {"/a//b/../c/", "/a/c/"}, {"/./x/.", "/x"}, {"/", "/"}, {"/../up/", "/up/"}};
    for (auto [written, normalised] : cases)
    {
        ConfigDir dir;
        dir.writeApi("a.json", keylessApi("a", written));
        EXPECT_EQ(loadDir(dir)->apis.at(0).listen_path, normalised) << written;
    }
}

TEST(ApiDefinitions, ProxyFlagsAreRead)
{
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("a", "/a/", "",
                                      R"("strip_listen_path": true, "disable_strip_slash": true, "preserve_host_header": true)"));
    const ApiDefinition api = loadDir(dir)->apis.at(0);
    EXPECT_TRUE(api.strip_listen_path);
    EXPECT_TRUE(api.disable_strip_slash);
    EXPECT_TRUE(api.preserve_host_header);
}

TEST(ApiDefinitions, VersionDataRules)
{
    const std::string no_default = "No default API version for this non-versioned API found";
    std::pair<std::string, std::string> cases[] = {
        {"", ""}, /// missing version_data: not versioned (Sluice; Tyk would answer 403)
        {R"("version_data": {"not_versioned": true, "versions": {"v1": {"name": "v1"}}})", ""},
        {R"("version_data": {"not_versioned": true, "versions": {"Default": {}, "v2": {}}})", ""},
        {R"("version_data": {"not_versioned": true, "versions": {"default": {}, "v2": {}}})", ""},
        {R"("version_data": {"not_versioned": true, "versions": {"": {}, "v2": {}}})", ""},
        {R"("version_data": {"not_versioned": true, "versions": {"v1": {}, "v2": {}}})", no_default},
        {R"("version_data": {"not_versioned": true, "versions": {"DEFAULT": {}, "v2": {}}})", no_default},
        {R"("version_data": {"not_versioned": true})", no_default},
    };
    for (const auto & [members, version_error] : cases)
    {
        ConfigDir dir;
        dir.writeApi("a.json", keylessApi("a", "/a/", members));
        EXPECT_EQ(loadDir(dir)->apis.at(0).version_error, version_error) << members;
    }
}

TEST(ApiDefinitions, VersionedApisAreRefused)
{
    for (const char * members : {R"("version_data": {"not_versioned": false, "versions": {"v1": {}}})",
                                 R"("version_data": {"versions": {"Default": {}}})"})
    {
        ConfigDir dir;
        dir.writeApi("a.json", keylessApi("a", "/a/", members));
        ConfigError e = loadError(dir);
        EXPECT_EQ(e.key(), "version_data.not_versioned") << members;
        EXPECT_EQ(e.reason(), "versioned APIs are not supported yet");
    }
}

TEST(ApiDefinitions, RateLimitsAreRefusedUnlessDisabled)
{
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("a", "/a/", R"("global_rate_limit": {"rate": 10, "per": 1})"));
    ConfigError e = loadError(dir);
    EXPECT_EQ(e.key(), "global_rate_limit");
    EXPECT_EQ(e.reason(), "rate limiting is not supported yet (Tyk answers 429 above the limit)");

    for (const char * members : {R"("global_rate_limit": {"rate": 10, "per": 1, "disabled": true})",
                                 R"("global_rate_limit": {"rate": 10, "per": 1}, "disable_rate_limit": true)",
                                 R"("global_rate_limit": {"rate": 0, "per": 0})"})
    {
        ConfigDir ok;
        ok.writeApi("a.json", keylessApi("a", "/a/", members));
        EXPECT_EQ(loadDir(ok)->apis.size(), 1u) << members;
    }
}

TEST(ApiDefinitions, OnlyPlainHttpApisOnTheMainPort)
{
    ConfigDir tcp;
    tcp.writeApi("a.json", keylessApi("a", "/a/", R"("protocol": "tcp")"));
    EXPECT_EQ(loadError(tcp).key(), "protocol");
    ConfigDir port;
    port.writeApi("a.json", keylessApi("a", "/a/", R"("listen_port": 9999)"));
    EXPECT_EQ(loadError(port).key(), "listen_port");
    ConfigDir http;
    http.writeApi("a.json", keylessApi("a", "/a/", R"("protocol": "http", "listen_port": 0)"));
    EXPECT_EQ(loadDir(http)->apis.size(), 1u);
}

TEST(ApiDefinitions, LoadBalancingTargetList)
{
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("a", "/a/", "", R"("enable_load_balancing": true,
        "target_list": ["127.0.0.1:9001", "http://127.0.0.1:9002/x?q=1", " ws://h:9003 "])"));
    const ApiDefinition api = loadDir(dir)->apis.at(0);
    ASSERT_EQ(api.target_list.size(), 3u);
    EXPECT_EQ(api.target_list[0].url, "http://127.0.0.1:9001"); /// no scheme -> http:// (Tyk's EnsureTransport)
    EXPECT_EQ(api.target_list[0].port, 9001);
    EXPECT_EQ(api.target_list[1].path, "/x");
    EXPECT_EQ(api.target_list[1].query, "q=1");
    EXPECT_EQ(api.target_list[2].host, "h");
    EXPECT_EQ(api.target_list[2].port, 9003);
}

TEST(ApiDefinitions, TargetListIsIgnoredWithoutLoadBalancing)
{
    ConfigDir dir;
    dir.writeApi("a.json", keylessApi("a", "/a/", "", R"("target_list": ["https://not-checked"])"));
    EXPECT_TRUE(loadDir(dir)->apis.at(0).target_list.empty());
}

TEST(ApiDefinitions, LoadBalancingNeedsAValidNonEmptyList)
{
    ConfigDir empty;
    empty.writeApi("a.json", keylessApi("a", "/a/", "", R"("enable_load_balancing": true, "target_list": [])"));
    ConfigError e = loadError(empty);
    EXPECT_EQ(e.key(), "proxy.target_list");
    EXPECT_EQ(e.reason(), "is empty while enable_load_balancing is true");

    ConfigDir bad;
    bad.writeApi("a.json", keylessApi("a", "/a/", "", R"("enable_load_balancing": true, "target_list": ["h:1", "https://h"])"));
    EXPECT_EQ(loadError(bad).key(), "proxy.target_list[1]");

    ConfigDir typed;
    typed.writeApi("a.json", keylessApi("a", "/a/", "", R"("target_list": ["h:1", 5])"));
    EXPECT_EQ(loadError(typed).key(), "proxy.target_list[1]");
}

TEST(ApiDefinitions, InvalidJsonNamesTheDefinitionFile)
{
    ConfigDir dir;
    std::string path = dir.writeApi("broken.json", "{\"api_id\": \"a\",\n\"proxy\": {\n}");
    ConfigError e = loadError(dir);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.key(), "");
    EXPECT_EQ(e.reason().rfind("invalid JSON: line 3", 0), 0u) << e.reason();
}
