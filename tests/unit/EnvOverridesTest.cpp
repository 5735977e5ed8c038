#include "ConfigTestSupport.h"

#include "shared/EnvOverrides.h"

using namespace sluice;
using namespace sluice::test;

TEST(EnvOverrides, ParsesBooleansLikeGoParseBool)
{
    for (const char * yes : {"1", "t", "T", "TRUE", "true", "True"})
        EXPECT_EQ(parseGoBool(yes), true) << yes;
    for (const char * no : {"0", "f", "F", "FALSE", "false", "False"})
        EXPECT_EQ(parseGoBool(no), false) << no;
    for (const char * bad : {"", "yes", "tRUE", "on", " true", "2"})
        EXPECT_EQ(parseGoBool(bad), std::nullopt) << bad;
}

TEST(EnvOverrides, ParsesIntegersLikeGoParseIntBaseZero)
{
    std::pair<const char *, int64_t> good[] = {
        {"42", 42},       {"-42", -42},    {"+7", 7},          {"0", 0},       {"0x1F", 31},
        {"0X1f", 31},     {"0o17", 15},    {"0b101", 5},       {"017", 15},    {"1_000", 1000},
        {"0x_1f", 31},    {"0_7", 7},      {"-9223372036854775808", INT64_MIN}, {"9223372036854775807", INT64_MAX}};
    for (auto [text, value] : good)
        EXPECT_EQ(parseGoInt(text), value) << text;
    for (const char * bad : {"", "+", "-", "abc", "08", "0x", "0b2", "1__0", "_1", "1_", "1.5", " 1", "1 ",
                             "9223372036854775808", "-9223372036854775809", "1e3"})
        EXPECT_EQ(parseGoInt(bad), std::nullopt) << bad;
}

TEST(EnvOverrides, ParsesFloatsLikeGoParseFloat)
{
    std::pair<const char *, double> good[] = {{"1.5", 1.5}, {"+2", 2}, {"-0.5", -0.5}, {"1e3", 1000}, {".5", 0.5}, {"30", 30}};
    for (auto [text, value] : good)
        EXPECT_EQ(parseGoFloat(text), value) << text;
    for (const char * bad : {"", "abc", "inf", "nan", "+-1", "1,5", " 1", "1s"})
        EXPECT_EQ(parseGoFloat(bad), std::nullopt) << bad;
}

TEST(EnvOverrides, ExpandsEnvReferencesWhenSetAndNonEmpty)
{
    Environment env{{"HOST", "127.0.0.1:9000"}, {"EMPTY", ""}, {"A_1", "x"}};
    EXPECT_EQ(expandEnvReferences(R"({"t": "http://env://HOST/p"})", env), R"({"t": "http://127.0.0.1:9000/p"})");
    EXPECT_EQ(expandEnvReferences("env://A_1-env://A_1", env), "x-x");
    EXPECT_EQ(expandEnvReferences("env://MISSING env://EMPTY env://", env), "env://MISSING env://EMPTY env://");
    EXPECT_EQ(expandEnvReferences("no references", env), "no references");
}

TEST(EnvOverrides, EveryTykVariableOverridesTheFile)
{
    ConfigDir dir;
    std::string other_apps = dir.path() + "/other";
    std::filesystem::create_directory(other_apps);
    std::string conf = dir.writeGateway(R"("listen_port": 8080, "secret": "file", "log_level": "error")");
    Environment env{
        {"TYK_GW_LISTENADDRESS", "127.0.0.2"},
        {"TYK_GW_LISTENPORT", "0x2378"}, /// 9080: base prefixes as in Go's ParseInt(s, 0, 64)
        {"TYK_GW_SECRET", "from-env"},
        {"TYK_GW_APPPATH", other_apps},
        {"TYK_GW_HOSTNAME", "gw.example"},
        {"TYK_GW_ENABLECUSTOMDOMAINS", "T"},
        {"TYK_GW_HTTPSERVEROPTIONS_READTIMEOUT", "11"},
        {"TYK_GW_HTTPSERVEROPTIONS_WRITETIMEOUT", "12"},
        {"TYK_GW_HTTPSERVEROPTIONS_FLUSHINTERVAL", "13"},
        {"TYK_GW_HTTPSERVEROPTIONS_ENABLEWEBSOCKETS", "true"},
        {"TYK_GW_HTTPSERVEROPTIONS_ENABLESTRICTROUTES", "1"},
        {"TYK_GW_HTTPSERVEROPTIONS_SKIPURLCLEANING", "TRUE"},
        {"TYK_GW_HTTPSERVEROPTIONS_MAXREQUESTBODYSIZE", "1_000_000"},
        {"TYK_GW_PROXYDEFAULTTIMEOUT", "2.5"},
        {"TYK_GW_PROXYCLOSECONNECTIONS", "t"},
        {"TYK_GW_MAXIDLECONNSPERHOST", "50"},
        {"TYK_GW_CLOSECONNECTIONS", "True"},
        {"TYK_GW_HIDEGENERATORHEADER", "true"},
        {"TYK_GW_LOGLEVEL", "warn"},
        {"TYK_GW_HEALTHCHECKENDPOINTNAME", "health"},
        {"TYK_GW_READINESSCHECKENDPOINTNAME", "readyz"},
        {"TYK_GW_GRACEFULSHUTDOWNTIMEOUTDURATION", "14"},
    };
    const GatewayConfig gw = loadPlan(conf, env)->gateway;
    EXPECT_EQ(gw.listen_address, "127.0.0.2");
    EXPECT_EQ(gw.listen_port, 9080);
    EXPECT_EQ(gw.secret, "from-env");
    EXPECT_EQ(gw.app_path, other_apps);
    EXPECT_EQ(gw.hostname, "gw.example");
    EXPECT_TRUE(gw.enable_custom_domains);
    EXPECT_EQ(gw.http.read_timeout_s, 11);
    EXPECT_EQ(gw.http.write_timeout_s, 12);
    EXPECT_EQ(gw.http.flush_interval_ms, 13);
    EXPECT_TRUE(gw.http.enable_websockets);
    EXPECT_TRUE(gw.http.enable_strict_routes);
    EXPECT_TRUE(gw.http.skip_url_cleaning);
    EXPECT_EQ(gw.http.max_request_body_size, 1000000);
    EXPECT_DOUBLE_EQ(gw.proxy_default_timeout_s, 2.5);
    EXPECT_TRUE(gw.proxy_close_connections);
    EXPECT_EQ(gw.max_idle_connections_per_host, 50);
    EXPECT_TRUE(gw.close_connections);
    EXPECT_TRUE(gw.hide_generator_header);
    EXPECT_EQ(gw.log_level, "warn");
    EXPECT_EQ(gw.health_check_endpoint_name, "health");
    EXPECT_EQ(gw.readiness_check_endpoint_name, "readyz");
    EXPECT_EQ(gw.graceful_shutdown_timeout_s, 14);
    EXPECT_EQ(gw.sluice.drain_timeout_s, 14);
}

TEST(EnvOverrides, AnEmptyVariableStillOverrides)
{
    ConfigDir dir;
    std::string conf = dir.writeGateway(R"("secret": "file")");
    EXPECT_EQ(loadPlan(conf, {{"TYK_GW_SECRET", ""}})->gateway.secret, "");
}

struct BadVariable
{
    std::string name;
    std::string value;
    std::string reason;
};

class EnvOverridesBadValue : public ::testing::TestWithParam<BadVariable>
{
};

TEST_P(EnvOverridesBadValue, IsRefusedNamingTheVariable)
{
    ConfigDir dir;
    std::string conf = dir.writeGateway();
    std::optional<ConfigError> e = configErrorOf([&] { loadPlan(conf, {{GetParam().name, GetParam().value}}); });
    ASSERT_TRUE(e) << GetParam().name;
    EXPECT_EQ(e->file(), "environment");
    EXPECT_EQ(e->key(), GetParam().name);
    EXPECT_EQ(e->reason(), GetParam().reason);
}

INSTANTIATE_TEST_SUITE_P(
    All, EnvOverridesBadValue,
    ::testing::Values(
        BadVariable{"TYK_GW_LISTENPORT", "abc", R"(expected an integer, got "abc")"},
        BadVariable{"TYK_GW_LISTENPORT", "", R"(expected an integer, got "")"},
        BadVariable{"TYK_GW_LISTENPORT", "70000", "must be between 0 and 65535, got 70000"},
        BadVariable{"TYK_GW_HTTPSERVEROPTIONS_READTIMEOUT", "-1", "must be at least 0, got -1"},
        BadVariable{"TYK_GW_HTTPSERVEROPTIONS_ENABLEWEBSOCKETS", "yes", R"(expected a boolean, got "yes")"},
        BadVariable{"TYK_GW_HTTPSERVEROPTIONS_USESSL", "true",
                    "TLS listeners are not supported by Sluice; terminate TLS in front of it"},
        BadVariable{"TYK_GW_PROXYDEFAULTTIMEOUT", "30s", R"(expected a number, got "30s")"},
        BadVariable{"TYK_GW_PROXYDEFAULTTIMEOUT", "-1", "must not be negative, got -1"},
        BadVariable{"TYK_GW_LOGLEVEL", "trace", R"(expected debug, info, warn or error, got "trace")"},
        BadVariable{"TYK_GW_APPPATH", "/nonexistent/sluice/apps", R"(directory "/nonexistent/sluice/apps" does not exist)"},
        BadVariable{"TYK_GW_OMITCONFIGFILE", "maybe", R"(expected a boolean, got "maybe")"},
        BadVariable{"TYK_LOGLEVEL", "loud", R"(expected debug, info, warn or error, got "loud")"}));

TEST(EnvOverrides, ErrorTextNamesTheEnvironment)
{
    ConfigDir dir;
    std::string conf = dir.writeGateway();
    std::optional<ConfigError> e = configErrorOf([&] { loadPlan(conf, {{"TYK_GW_LISTENPORT", "abc"}}); });
    ASSERT_TRUE(e);
    EXPECT_STREQ(e->what(), R"(environment: TYK_GW_LISTENPORT: expected an integer, got "abc")");
}

TEST(EnvOverrides, TheFileIsTypeCheckedEvenWhenAVariableOverridesIt)
{
    /// Go decodes the file before envconfig runs: a wrong JSON type is fatal either way.
    ConfigDir dir;
    std::string conf = dir.writeGateway(R"("listen_port": "8080")");
    std::optional<ConfigError> e = configErrorOf([&] { loadPlan(conf, {{"TYK_GW_LISTENPORT", "80"}}); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->file(), conf);
    EXPECT_EQ(e->key(), "listen_port");
}

TEST(EnvOverrides, AnOverrideReplacesAnImpossibleFileValue)
{
    ConfigDir dir;
    std::string conf = dir.writeGateway(R"("listen_port": 70000, "http_server_options": {"use_ssl": true})");
    Environment env{{"TYK_GW_LISTENPORT", "80"}, {"TYK_GW_HTTPSERVEROPTIONS_USESSL", "false"}};
    EXPECT_EQ(loadPlan(conf, env)->gateway.listen_port, 80);
}

TEST(EnvOverrides, TykLogLevelBeatsLogLevelAndItsOverride)
{
    ConfigDir dir;
    std::string conf = dir.writeGateway(R"("log_level": "error")");
    EXPECT_EQ(loadPlan(conf, {{"TYK_LOGLEVEL", "DEBUG"}, {"TYK_GW_LOGLEVEL", "warn"}})->gateway.log_level, "debug");
    EXPECT_EQ(loadPlan(conf, {{"TYK_LOGLEVEL", ""}})->gateway.log_level, "error");
    /// Tyk does not look at log_level at all when TYK_LOGLEVEL is set.
    std::string odd = dir.writeGateway(R"("log_level": "verbose")");
    EXPECT_EQ(loadPlan(odd, {{"TYK_LOGLEVEL", "warn"}})->gateway.log_level, "warn");
}

TEST(EnvOverrides, OmitConfigFileIgnoresTykKeysButKeepsTheSluiceObject)
{
    ConfigDir dir;
    std::string conf = dir.write("tyk.conf", R"({"listen_port": "not even an int", "secret": "file",
        "app_path": "/nonexistent", "sluice": {"worker_processes": 3}})");
    Environment env{{"TYK_GW_OMITCONFIGFILE", "true"}, {"TYK_GW_APPPATH", dir.apps()}, {"TYK_GW_LISTENPORT", "81"}};
    PlanPtr plan = loadPlan(conf, env);
    EXPECT_EQ(plan->gateway.listen_port, 81);
    EXPECT_EQ(plan->gateway.secret, "");
    EXPECT_EQ(plan->gateway.app_path, dir.apps());
    EXPECT_EQ(plan->gateway.sluice.worker_processes, 3);
    EXPECT_EQ(plan->gateway.http.read_timeout_s, 120);
}

TEST(EnvOverrides, OmitConfigFileAcceptsAMissingFile)
{
    ConfigDir dir;
    Environment env{{"TYK_GW_OMITCONFIGFILE", "1"}, {"TYK_GW_APPPATH", dir.apps()}};
    PlanPtr plan = loadPlan(dir.path() + "/absent.conf", env);
    EXPECT_EQ(plan->gateway.listen_port, 0);
    EXPECT_EQ(plan->gateway.app_path, dir.apps());
}

TEST(EnvOverrides, OmitConfigFileFalseReadsTheFile)
{
    ConfigDir dir;
    std::string conf = dir.writeGateway(R"("listen_port": 8080)");
    EXPECT_EQ(loadPlan(conf, {{"TYK_GW_OMITCONFIGFILE", "false"}})->gateway.listen_port, 8080);
}

TEST(EnvOverrides, SecretEnvReferenceReadsTykSecretVariable)
{
    ConfigDir dir;
    std::string conf = dir.writeGateway(R"("secret": "env://gw_key")");
    EXPECT_EQ(loadPlan(conf, {{"TYK_SECRET_GW_KEY", "s3cret"}})->gateway.secret, "s3cret");

    /// Tyk would quietly use "" (an open control API); Sluice refuses.
    for (const Environment & env : {Environment{}, Environment{{"TYK_SECRET_GW_KEY", ""}}})
    {
        std::optional<ConfigError> e = configErrorOf([&] { loadPlan(conf, env); });
        ASSERT_TRUE(e);
        EXPECT_EQ(e->file(), conf);
        EXPECT_EQ(e->key(), "secret");
        EXPECT_EQ(e->reason(), "environment variable TYK_SECRET_GW_KEY is not set or empty");
    }
}

TEST(EnvOverrides, SecretFromTheEnvironmentMayBeAReferenceToo)
{
    ConfigDir dir;
    std::string conf = dir.writeGateway();
    Environment env{{"TYK_GW_SECRET", "env://x"}, {"TYK_SECRET_X", "deep"}};
    EXPECT_EQ(loadPlan(conf, env)->gateway.secret, "deep");
    std::optional<ConfigError> e = configErrorOf([&] { loadPlan(conf, {{"TYK_GW_SECRET", "env://x"}}); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->file(), "environment");
    EXPECT_EQ(e->key(), "TYK_GW_SECRET");
}
