#include "ConfigTestSupport.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

using namespace sluice;
using namespace sluice::test;

namespace
{

PlanPtr load(const std::string & conf, const Environment & env = {})
{
    return loadPlan(conf, env);
}

/// The repository root, where the demo runs (`sluice --conf config/sluice.json`).
std::string repoRoot()
{
    return std::filesystem::path(SLUICE_TEST_DATA_DIR).parent_path().parent_path().string();
}

int onlineCores()
{
    long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : static_cast<int>(std::min<long>(cores, 64));
}

}

TEST(Config, ErrorTextIsFileKeyReason)
{
    EXPECT_STREQ(ConfigError("apps/a.json", "proxy.target_url", "bad").what(), "apps/a.json: proxy.target_url: bad");
    EXPECT_STREQ(ConfigError("tyk.conf", "", "invalid JSON").what(), "tyk.conf: invalid JSON");
}

TEST(Config, DemoConfigLoadsWithItsValues)
{
    WorkingDirectory cwd(repoRoot());
    PlanPtr plan = load("config/sluice.json");
    const GatewayConfig & gw = plan->gateway;
    EXPECT_EQ(gw.source_file, "config/sluice.json");
    EXPECT_EQ(gw.listen_address, "");
    EXPECT_EQ(gw.listen_port, 8080);
    EXPECT_EQ(gw.secret, "change-me");
    EXPECT_EQ(gw.app_path, repoRoot() + "/config/apps");
    EXPECT_TRUE(gw.http.enable_websockets);
    EXPECT_EQ(gw.http.read_timeout_s, 120);
    EXPECT_EQ(gw.http.write_timeout_s, 3600);
    EXPECT_EQ(gw.http.flush_interval_ms, 1);
    EXPECT_DOUBLE_EQ(gw.proxy_default_timeout_s, 30);
    EXPECT_EQ(gw.sluice.worker_processes, 2);
    EXPECT_EQ(gw.sluice.drain_timeout_s, 30);

    auto found = std::find_if(plan->apis.begin(), plan->apis.end(), [](const ApiDefinition & a) { return a.api_id == "sse"; });
    ASSERT_NE(found, plan->apis.end());
    const ApiDefinition & sse = *found;
    EXPECT_EQ(sse.name, "sse");
    EXPECT_EQ(sse.listen_path, "/sse/");
    EXPECT_TRUE(sse.strip_listen_path);
    EXPECT_EQ(sse.target.host, "127.0.0.1");
    EXPECT_EQ(sse.target.port, 8000);
    EXPECT_EQ(sse.target.host_header, "127.0.0.1:8000");
    EXPECT_EQ(sse.target.path, "");
    EXPECT_EQ(sse.version_error, "");
    EXPECT_EQ(sse.source_file, repoRoot() + "/config/apps/sse.json");
}

TEST(Config, KeysMatchCaseInsensitivelyLikeGo)
{
    ConfigDir dir;
    PlanPtr plan = load(dir.writeGateway(R"("LISTEN_PORT": 9000, "Http_Server_Options": {"READ_TIMEOUT": 5},
                                           "Sluice": {"Worker_Processes": 3}, "Log_Level": "warn")"));
    EXPECT_EQ(plan->gateway.listen_port, 9000);
    EXPECT_EQ(plan->gateway.http.read_timeout_s, 5);
    EXPECT_EQ(plan->gateway.sluice.worker_processes, 3);
    EXPECT_EQ(plan->gateway.log_level, "warn");
}

TEST(Config, AnExactKeyBeatsACaseInsensitiveOne)
{
    ConfigDir dir;
    EXPECT_EQ(load(dir.writeGateway(R"("LISTEN_PORT": 2, "listen_port": 1)"))->gateway.listen_port, 1);
}

TEST(Config, UnknownTykKeysAreIgnored)
{
    ConfigDir dir;
    EXPECT_NO_THROW(load(dir.writeGateway(R"("template_path": 5, "storage": {"type": "redis"}, "whatever": [1])")));
}

TEST(Config, ZeroOrMissingMeansTykRuntimeDefaults)
{
    ConfigDir dir;
    PlanPtr plan = load(dir.writeGateway(R"("http_server_options": {"read_timeout": 0, "write_timeout": 0},
        "proxy_default_timeout": 0, "max_idle_connections_per_host": 0, "graceful_shutdown_timeout_duration": 0,
        "health_check_endpoint_name": "", "log_level": "")"));
    const GatewayConfig & gw = plan->gateway;
    EXPECT_EQ(gw.http.read_timeout_s, 120);
    EXPECT_EQ(gw.http.write_timeout_s, 120);
    EXPECT_EQ(gw.http.flush_interval_ms, 0);
    EXPECT_DOUBLE_EQ(gw.proxy_default_timeout_s, 30);
    EXPECT_EQ(gw.max_idle_connections_per_host, 2);
    EXPECT_EQ(gw.graceful_shutdown_timeout_s, 30);
    EXPECT_EQ(gw.log_level, "info");
    EXPECT_EQ(gw.health_check_endpoint_name, "hello");
    EXPECT_EQ(gw.readiness_check_endpoint_name, "ready");
    EXPECT_EQ(gw.listen_port, 0);
    EXPECT_EQ(gw.secret, "");
    EXPECT_EQ(gw.sluice.drain_timeout_s, 30);
    EXPECT_EQ(gw.sluice.stream_idle_timeout_s, 600);
    EXPECT_EQ(gw.sluice.heartbeat_interval_s, 0);
    EXPECT_EQ(gw.sluice.max_streams_per_worker, 0);
    EXPECT_EQ(gw.sluice.max_threads, 128);
    EXPECT_EQ(gw.sluice.keepalive_timeout_s, 15);
    EXPECT_EQ(gw.sluice.worker_processes, onlineCores());
    EXPECT_TRUE(plan->apis.empty());
}

TEST(Config, NonZeroValuesAreKept)
{
    ConfigDir dir;
    PlanPtr plan = load(dir.writeGateway(R"("listen_address": "127.0.0.1", "hostname": "gw.local",
        "enable_custom_domains": true, "proxy_default_timeout": 2.5, "proxy_close_connections": true,
        "max_idle_connections_per_host": 500, "close_connections": true, "hide_generator_header": true,
        "readiness_check_endpoint_name": "up", "graceful_shutdown_timeout_duration": 7,
        "http_server_options": {"enable_strict_routes": true, "skip_url_cleaning": true,
                                "max_request_body_size": 10000000000, "use_ssl": false})"));
    const GatewayConfig & gw = plan->gateway;
    EXPECT_EQ(gw.listen_address, "127.0.0.1");
    EXPECT_EQ(gw.hostname, "gw.local");
    EXPECT_TRUE(gw.enable_custom_domains);
    EXPECT_DOUBLE_EQ(gw.proxy_default_timeout_s, 2.5);
    EXPECT_TRUE(gw.proxy_close_connections);
    EXPECT_EQ(gw.max_idle_connections_per_host, 500);
    EXPECT_TRUE(gw.close_connections);
    EXPECT_TRUE(gw.hide_generator_header);
    EXPECT_EQ(gw.readiness_check_endpoint_name, "up");
    EXPECT_EQ(gw.graceful_shutdown_timeout_s, 7);
    EXPECT_EQ(gw.sluice.drain_timeout_s, 7); /// the drain deadline follows Tyk's shutdown limit by default
    EXPECT_TRUE(gw.http.enable_strict_routes);
    EXPECT_TRUE(gw.http.skip_url_cleaning);
    EXPECT_EQ(gw.http.max_request_body_size, 10000000000);
}

TEST(Config, NullCountsAsMissing)
{
    ConfigDir dir;
    PlanPtr plan = load(dir.writeGateway(R"("listen_port": null, "http_server_options": null, "sluice": null)"));
    EXPECT_EQ(plan->gateway.listen_port, 0);
    EXPECT_EQ(plan->gateway.http.read_timeout_s, 120);
}

struct WrongValue
{
    std::string members;
    std::string key;
    std::string reason;
};

/// Without it GoogleTest prints the parameter's raw bytes, padding included (noise in logs, and valgrind
/// reports the uninitialised padding).
void PrintTo(const WrongValue & v, std::ostream * os)
{
    *os << v.members;
}

class ConfigWrongValue : public ::testing::TestWithParam<WrongValue>
{
};

TEST_P(ConfigWrongValue, IsRefusedNamingFileAndKey)
{
    ConfigDir dir;
    std::string conf = dir.writeGateway(GetParam().members);
    std::optional<ConfigError> e = configErrorOf([&] { load(conf); });
    ASSERT_TRUE(e) << GetParam().members;
    EXPECT_EQ(e->file(), conf);
    EXPECT_EQ(e->key(), GetParam().key);
    EXPECT_EQ(e->reason(), GetParam().reason);
}

INSTANTIATE_TEST_SUITE_P(
    Types, ConfigWrongValue,
    ::testing::Values(
        WrongValue{R"("listen_port": "8080")", "listen_port", R"(expected an integer, got string "8080")"},
        WrongValue{R"("http_server_options": {"read_timeout": "120"})", "http_server_options.read_timeout",
                   R"(expected an integer, got string "120")"},
        WrongValue{R"("http_server_options": {"write_timeout": 1.5})", "http_server_options.write_timeout",
                   "expected an integer, got number 1.5"},
        WrongValue{R"("http_server_options": {"flush_interval": true})", "http_server_options.flush_interval",
                   "expected an integer, got boolean true"},
        WrongValue{R"("http_server_options": {"enable_websockets": "true"})", "http_server_options.enable_websockets",
                   R"(expected a boolean, got string "true")"},
        WrongValue{R"("http_server_options": [])", "http_server_options", "expected an object, got array"},
        WrongValue{R"("secret": 5)", "secret", "expected a string, got number 5"},
        WrongValue{R"("enable_custom_domains": 1)", "enable_custom_domains", "expected a boolean, got number 1"},
        WrongValue{R"("proxy_default_timeout": "30")", "proxy_default_timeout", R"(expected a number, got string "30")"},
        WrongValue{R"("log_level": {})", "log_level", "expected a string, got object"},
        WrongValue{R"("max_idle_connections_per_host": 2.0)", "max_idle_connections_per_host",
                   "expected an integer, got number 2"},
        WrongValue{R"("Listen_Port": "x")", "Listen_Port", R"(expected an integer, got string "x")"},
        WrongValue{R"("sluice": {"max_threads": "many"})", "sluice.max_threads", R"(expected an integer, got string "many")"},
        WrongValue{R"("sluice": 3)", "sluice", "expected an object, got number 3"}));

INSTANTIATE_TEST_SUITE_P(
    Ranges, ConfigWrongValue,
    ::testing::Values(
        WrongValue{R"("listen_port": 70000)", "listen_port", "must be between 0 and 65535, got 70000"},
        WrongValue{R"("listen_port": -1)", "listen_port", "must be between 0 and 65535, got -1"},
        WrongValue{R"("http_server_options": {"read_timeout": -1})", "http_server_options.read_timeout",
                   "must be at least 0, got -1"},
        WrongValue{R"("http_server_options": {"flush_interval": -5})", "http_server_options.flush_interval",
                   "must be at least 0, got -5"},
        WrongValue{R"("http_server_options": {"max_request_body_size": -1})",
                   "http_server_options.max_request_body_size", "must be at least 0, got -1"},
        WrongValue{R"("http_server_options": {"read_timeout": 3000000000})", "http_server_options.read_timeout",
                   "must be at least 0, got 3000000000"},
        WrongValue{R"("proxy_default_timeout": -0.5)", "proxy_default_timeout", "must not be negative, got -0.5"},
        WrongValue{R"("max_idle_connections_per_host": -2)", "max_idle_connections_per_host",
                   "must be at least 0, got -2"},
        WrongValue{R"("graceful_shutdown_timeout_duration": -1)", "graceful_shutdown_timeout_duration",
                   "must be at least 0, got -1"},
        WrongValue{R"("log_level": "verbose")", "log_level", R"(expected debug, info, warn or error, got "verbose")"},
        WrongValue{R"("http_server_options": {"use_ssl": true})", "http_server_options.use_ssl",
                   "TLS listeners are not supported by Sluice; terminate TLS in front of it"},
        WrongValue{R"("secret": "secrets://gw")", "secret", "secrets:// references are not supported; use env://"}));

INSTANTIATE_TEST_SUITE_P(
    SluiceObject, ConfigWrongValue,
    ::testing::Values(
        WrongValue{R"("sluice": {"worker_process": 2})", "sluice.worker_process",
                   "unknown key (known keys: worker_processes, drain_timeout, stream_idle_timeout, heartbeat_interval, "
                   "max_threads, keepalive_timeout, max_streams_per_worker, max_draining_generations, log_file, "
                   "access_log_file, stats_interval)"},
        WrongValue{R"("sluice": {"worker_processes": "many"})", "sluice.worker_processes",
                   R"(expected an integer or "auto", got string "many")"},
        WrongValue{R"("sluice": {"worker_processes": 0})", "sluice.worker_processes", "must be between 1 and 64, got 0"},
        WrongValue{R"("sluice": {"worker_processes": 65})", "sluice.worker_processes", "must be between 1 and 64, got 65"},
        WrongValue{R"("sluice": {"drain_timeout": -1})", "sluice.drain_timeout", "must be at least 0, got -1"},
        WrongValue{R"("sluice": {"stream_idle_timeout": -1})", "sluice.stream_idle_timeout", "must be at least 0, got -1"},
        WrongValue{R"("sluice": {"heartbeat_interval": 1.5})", "sluice.heartbeat_interval",
                   "expected an integer, got number 1.5"},
        WrongValue{R"("sluice": {"max_streams_per_worker": 0})", "sluice.max_streams_per_worker",
                   "must be at least 1, got 0"},
        WrongValue{R"("sluice": {"max_threads": 3})", "sluice.max_threads", "must be between 4 and 4096, got 3"},
        WrongValue{R"("sluice": {"max_threads": 4097})", "sluice.max_threads", "must be between 4 and 4096, got 4097"},
        WrongValue{R"("sluice": {"keepalive_timeout": 0})", "sluice.keepalive_timeout", "must be at least 1, got 0"},
        WrongValue{R"("sluice": {"log_file": 5})", "sluice.log_file", "expected a string, got number 5"},
        WrongValue{R"("sluice": {"stats_interval": -1})", "sluice.stats_interval", "must be at least 0, got -1"},
        WrongValue{R"("sluice": {"access_log_file": true})", "sluice.access_log_file",
                   "expected a string, got boolean true"},
        WrongValue{R"("sluice": {"log_file": "/nonexistent-sluice-dir/sluice.log"})", "sluice.log_file",
                   R"(directory "/nonexistent-sluice-dir" does not exist)"},
        WrongValue{R"("sluice": {"Access_Log_File": "/nonexistent-sluice-dir/a/access.log"})", "sluice.Access_Log_File",
                   R"(directory "/nonexistent-sluice-dir/a" does not exist)"},
        WrongValue{R"("sluice": {"log_file": "/tmp/"})", "sluice.log_file", R"("/tmp/" names a directory, not a file)"}));

TEST(Config, LogLevelIsLowerCasedAsTykDoes)
{
    ConfigDir dir;
    EXPECT_EQ(load(dir.writeGateway(R"("log_level": "DEBUG")"))->gateway.log_level, "debug");
}

TEST(Config, InvalidJsonNamesTheLine)
{
    ConfigDir dir;
    std::string conf = dir.write("tyk.conf", "{\n  \"listen_port\": 80,\n  \"secret\": }\n");
    std::optional<ConfigError> e = configErrorOf([&] { load(conf); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->file(), conf);
    EXPECT_EQ(e->key(), "");
    EXPECT_EQ(e->reason(), "invalid JSON: line 3: unexpected byte '}' in value");
}

TEST(Config, TrailingGarbageIsInvalidJson)
{
    ConfigDir dir;
    std::string conf = dir.write("tyk.conf", "{}\n}\n");
    std::optional<ConfigError> e = configErrorOf([&] { load(conf); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason().rfind("invalid JSON: line 2", 0), 0u) << e->reason();
}

TEST(Config, TopLevelMustBeAnObject)
{
    ConfigDir dir;
    std::string conf = dir.write("tyk.conf", "[1, 2]");
    std::optional<ConfigError> e = configErrorOf([&] { load(conf); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "");
    EXPECT_EQ(e->reason(), "expected a JSON object at the top level, got array");
}

TEST(Config, MissingFileIsReportedWithErrnoText)
{
    ConfigDir dir;
    std::string conf = dir.path() + "/absent.conf";
    std::optional<ConfigError> e = configErrorOf([&] { load(conf); });
    ASSERT_TRUE(e);
    EXPECT_STREQ(e->what(), (conf + ": cannot read file: No such file or directory").c_str());
}

TEST(Config, EmptyAppPathMeansTheWorkingDirectory)
{
    ConfigDir dir;
    std::string conf = dir.write("tyk.conf", R"({"app_path": ""})");
    dir.write("api.json", keylessApi("here", "/here/"));
    WorkingDirectory cwd(dir.path());
    PlanPtr plan = load(conf);
    EXPECT_EQ(plan->gateway.app_path, dir.path());
    ASSERT_EQ(plan->apis.size(), 1u);
    EXPECT_EQ(plan->apis[0].api_id, "here");
}

TEST(Config, RelativeAppPathIsRelativeToTheWorkingDirectoryNotTheFile)
{
    ConfigDir dir;
    std::string conf = dir.write("tyk.conf", R"({"app_path": "apps/"})");
    dir.writeApi("a.json", keylessApi("a", "/a/"));
    {
        WorkingDirectory cwd(dir.path());
        EXPECT_EQ(load(conf)->gateway.app_path, dir.apps());
    }
    WorkingDirectory elsewhere(dir.apps());
    std::optional<ConfigError> e = configErrorOf([&] { load(conf); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "app_path");
    EXPECT_EQ(e->reason(), "directory \"" + dir.apps() + "/apps\" does not exist");
}

TEST(Config, AppPathMustBeADirectory)
{
    ConfigDir dir;
    std::string file = dir.write("plain", "x");
    std::string conf = dir.write("tyk.conf", "{\"app_path\": \"" + file + "\"}");
    std::optional<ConfigError> e = configErrorOf([&] { load(conf); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "app_path");
    EXPECT_EQ(e->reason(), "\"" + file + "\" is not a directory");
}

TEST(Config, WorkerProcessesAutoMeansOnlineCores)
{
    ConfigDir dir;
    EXPECT_EQ(load(dir.writeGateway(R"("sluice": {"worker_processes": "auto"})"))->gateway.sluice.worker_processes,
              onlineCores());
    EXPECT_EQ(load(dir.writeGateway(R"("sluice": {"worker_processes": 64})"))->gateway.sluice.worker_processes, 64);
}

TEST(Config, SluiceSettingsAreRead)
{
    ConfigDir dir;
    PlanPtr plan = load(dir.writeGateway(R"("graceful_shutdown_timeout_duration": 45, "sluice": {
        "DRAIN_TIMEOUT": 0, "stream_idle_timeout": 0, "heartbeat_interval": 20, "max_streams_per_worker": 5000,
        "max_threads": 4096, "keepalive_timeout": 5})"));
    const SluiceSettings & s = plan->gateway.sluice;
    EXPECT_EQ(s.drain_timeout_s, 0); /// explicit 0 closes streams at once; it is not "use the default"
    EXPECT_EQ(s.stream_idle_timeout_s, 0);
    EXPECT_EQ(s.heartbeat_interval_s, 20);
    EXPECT_EQ(s.max_streams_per_worker, 5000);
    EXPECT_EQ(s.max_threads, 4096);
    EXPECT_EQ(s.keepalive_timeout_s, 5);
    EXPECT_EQ(plan->gateway.graceful_shutdown_timeout_s, 45);
}

TEST(Config, LogFilesDefaultToStderr)
{
    ConfigDir dir;
    PlanPtr plan = load(dir.writeGateway());
    const SluiceSettings & s = plan->gateway.sluice;
    EXPECT_EQ(s.log_file, "");
    EXPECT_EQ(s.access_log_file, "");
}

TEST(Config, LogFilesAreResolvedAgainstTheWorkingDirectory)
{
    ConfigDir dir;
    std::filesystem::create_directory(dir.path() + "/logs");
    std::string conf = dir.writeGateway(R"("sluice": {"log_file": "logs/../logs/sluice.log",
                                                      "access_log_file": ")" + dir.path() + R"(/access.log"})");
    WorkingDirectory cwd(dir.path());
    PlanPtr plan = load(conf);
    const SluiceSettings & s = plan->gateway.sluice;
    /// Absolute, so a worker or a later reopen opens the same file whatever its working directory.
    EXPECT_EQ(s.log_file, dir.path() + "/logs/sluice.log");
    EXPECT_EQ(s.access_log_file, dir.path() + "/access.log");
}

TEST(Config, LogFileInAMissingRelativeDirectoryNamesTheResolvedDirectory)
{
    ConfigDir dir;
    std::string conf = dir.writeGateway(R"("sluice": {"log_file": "nope/sluice.log"})");
    WorkingDirectory cwd(dir.path());
    auto e = configErrorOf([&] { load(conf); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->key(), "sluice.log_file");
    EXPECT_EQ(e->reason(), "directory \"" + dir.path() + "/nope\" does not exist");
}
