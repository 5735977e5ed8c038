/// A bad configuration at startup: `sluice --conf` and `sluice -t --conf` both exit 78 with exactly
/// one line naming the file, the key and the reason, and no worker ever starts. That includes a field Tyk would
/// apply and Sluice does not implement yet (docs/tyk-fields.md): such an API is refused, never served open.

#include "support/ProcessInfo.h"
#include "support/SluiceProcess.h"

#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

namespace sluice::test
{
namespace
{

struct BadConfigCase
{
    std::string name;
    std::function<void(SluiceProcess &)> setup;
    /// File the error must name, relative to the temp dir; "" = one of the API files a.json/b.json.
    std::string file;
    /// Key the error must name ("" for a file that is not JSON at all).
    std::string key;
    /// Text the reason must not contain: advice that would weaken protection.
    std::string reason_must_not_contain = "";
};

/// Keeps gtest from dumping the struct's bytes into test names and messages.
void PrintTo(const BadConfigCase & c, std::ostream * out)
{
    *out << c.name;
}

std::string apiWithPath(const std::string & id, const std::string & listen_path)
{
    return SluiceProcess::apiDefinition(id, listen_path, "http://127.0.0.1:9", true);
}

/// An API whose only unusual member is `extra_json` (merged into a keyless definition).
std::string apiWith(const std::string & extra_json)
{
    return SluiceProcess::apiDefinition("a", "/a/", "http://127.0.0.1:9", true, extra_json);
}

std::vector<BadConfigCase> badConfigs()
{
    return {
        {"InvalidJson",
         [](SluiceProcess & s) { s.setGatewayConfigText("{\"listen_address\": \"127.0.0.1\", \"listen_port\": 0,\n"); },
         "sluice.json", ""},
        {"ListenPortOfWrongType",
         [](SluiceProcess & s) {
             s.addApiFile("a.json", apiWithPath("a", "/a/"));
         },
         "sluice.json", "listen_port"},
        {"ListenPortOutOfRange", [](SluiceProcess & s) { s.addApiFile("a.json", apiWithPath("a", "/a/")); },
         "sluice.json", "listen_port"},
        {"ListenPathClash",
         [](SluiceProcess & s) {
             s.addApiFile("a.json", apiWithPath("a", "/same/"));
             s.addApiFile("b.json", apiWithPath("b", "/same/"));
         },
         "", "listen_path"},
        {"UnsupportedAuth",
         [](SluiceProcess & s) {
             s.addApiFile("a.json", SluiceProcess::apiDefinition("a", "/a/", "http://127.0.0.1:9", true,
                                                                 R"({"use_keyless": false})"));
         },
         "apps/a.json", "use_keyless", "use_keyless"},
        {"IpAllowList", [](SluiceProcess & s) { s.addApiFile("a.json", apiWith(R"({"allowed_ips": ["10.1.2.3"]})")); },
         "apps/a.json", "allowed_ips"},
        {"BlackList",
         [](SluiceProcess & s) {
             s.addApiFile("a.json", apiWith(R"({"version_data": {"versions": {"Default": {"use_extended_paths": true,
                 "extended_paths": {"black_list": [{"path": "/admin", "method": "GET"}]}}}}})"));
         },
         "apps/a.json", "version_data.versions.Default.extended_paths.black_list[0]"},
        {"SizeLimit",
         [](SluiceProcess & s) {
             s.addApiFile("a.json", apiWith(R"({"version_data": {"versions": {"Default": {"global_size_limit": 1024}}}})"));
         },
         "apps/a.json", "version_data.versions.Default.global_size_limit"},
        {"ProxyUrl",
         [](SluiceProcess & s) {
             s.addApiFile("a.json", apiWith(R"({"proxy": {"transport": {"proxy_url": "http://127.0.0.1:3128"}}})"));
         },
         "apps/a.json", "proxy.transport.proxy_url"},
        {"JwtApi",
         [](SluiceProcess & s) {
             s.addApiFile("a.json", apiWith(R"({"use_keyless": false, "enable_jwt": true,
                                                "jwt_signing_method": "rsa", "jwt_source": "https://idp/jwks"})"));
         },
         "apps/a.json", "enable_jwt", "use_keyless"},
        {"ControlApiPort", [](SluiceProcess & s) { s.addApiFile("a.json", apiWithPath("a", "/a/")); }, "sluice.json",
         "control_api_port"},
        {"LogFileDirectoryMissing", [](SluiceProcess & s) { s.addApiFile("a.json", apiWithPath("a", "/a/")); },
         "sluice.json", "sluice.log_file"},
    };
}

SluiceOptions optionsFor(const std::string & name)
{
    SluiceOptions options;
    if (name == "ListenPortOfWrongType")
        options.gateway_extra_json = R"({"listen_port": "8080"})";
    if (name == "ListenPortOutOfRange")
        options.gateway_extra_json = R"({"listen_port": 70000})";
    if (name == "ControlApiPort")
        options.gateway_extra_json = R"({"control_api_port": 9696})";
    if (name == "LogFileDirectoryMissing")
        options.gateway_extra_json = R"({"sluice": {"log_file": "/nonexistent-sluice-dir/sluice.log"}})";
    return options;
}

class BadConfig : public ::testing::TestWithParam<BadConfigCase>
{
protected:
    /// Runs sluice with `args` and checks the exit status, the single error line and that no
    /// worker was started.
    void expectRefused(SluiceProcess & sluice, const std::vector<std::string> & args)
    {
        const BadConfigCase & c = GetParam();
        ASSERT_TRUE(sluice.launch(args));
        auto status = sluice.waitExit(Millis(5000));
        ASSERT_TRUE(status.has_value()) << "sluice still running with a bad config; log:\n" << sluice.logText();
        EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 78) << describeStatus(*status);

        std::vector<std::string> lines;
        for (const auto & line : sluice.logLines())
            if (!line.empty())
                lines.push_back(line);
        ASSERT_EQ(1u, lines.size()) << sluice.logText();
        const std::string & line = lines[0];
        std::string file = c.file.empty() ? "" : sluice.dir().file(c.file);
        if (file.empty())
            file = line.find(sluice.dir().file("apps/b.json")) != std::string::npos ? sluice.dir().file("apps/b.json")
                                                                                    : sluice.dir().file("apps/a.json");
        size_t at = line.find(file);
        ASSERT_NE(std::string::npos, at) << "the error does not name " << file << ": " << line;
        std::string rest = line.substr(at + file.size());
        ASSERT_EQ(0u, rest.find(": ")) << line;
        rest = rest.substr(2);
        if (!c.key.empty())
        {
            size_t key_at = rest.find(c.key);
            ASSERT_NE(std::string::npos, key_at) << "the error does not name the key " << c.key << ": " << line;
            rest = rest.substr(rest.find(": ", key_at) == std::string::npos ? rest.size() : rest.find(": ", key_at) + 2);
        }
        EXPECT_GE(rest.size(), 5u) << "no reason given: " << line;
        if (!c.reason_must_not_contain.empty())
        {
            EXPECT_EQ(std::string::npos, rest.find(c.reason_must_not_contain)) << "the reason advises weakening: " << line;
        }

        EXPECT_EQ(0u, sluice.countLog("worker started")) << sluice.logText();
        EXPECT_TRUE(processesWithArgument(sluice.confPath()).empty());
    }
};

TEST_P(BadConfig, StartupExits78WithOneLineNamingFileKeyAndReason)
{
    SluiceProcess sluice(optionsFor(GetParam().name));
    GetParam().setup(sluice);
    sluice.writeConfig();
    std::string port_file = sluice.dir().file("sluice.port");
    expectRefused(sluice, {"--conf", "{conf}", "--port-file", port_file});
    EXPECT_NE(0, ::access(port_file.c_str(), F_OK)) << "a port file was written";
}

TEST_P(BadConfig, ConfigTestExits78WithOneLineNamingFileKeyAndReason)
{
    SluiceProcess sluice(optionsFor(GetParam().name));
    GetParam().setup(sluice);
    sluice.writeConfig();
    expectRefused(sluice, {"-t", "--conf", "{conf}"});
}

INSTANTIATE_TEST_SUITE_P(Cases, BadConfig, ::testing::ValuesIn(badConfigs()),
                         [](const ::testing::TestParamInfo<BadConfigCase> & info) { return info.param.name; });

/// The control case: the same harness accepts a good config, so the failures above are about the
/// config and not about the harness.
TEST(GoodConfig, ConfigTestSucceeds)
{
    SluiceProcess sluice;
    sluice.addApiFile("a.json", apiWithPath("a", "/a/"));
    sluice.writeConfig();
    ASSERT_TRUE(sluice.launch({"-t", "--conf", "{conf}"}));
    auto status = sluice.waitExit(Millis(5000));
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeStatus(*status) << sluice.logText();
    EXPECT_NE(std::string::npos,
              sluice.logText().find("sluice: configuration file " + sluice.confPath() + " test is successful"))
        << sluice.logText();
    EXPECT_EQ(0u, sluice.countLog("worker started"));
}

}
}
