#pragma once

#include "support/TempDir.h"
#include "support/WaitFor.h"

#include <gtest/gtest.h>

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::test
{

/// Path of the sluice executable under test. Defined by the test executable, the one target that
/// CMake gives the SLUICE_BINARY definition (tests/integration/SluiceBinary.cpp).
const char * sluiceBinary();

/// The few settings tests vary; everything else goes through `gateway_extra_json`.
struct SluiceOptions
{
    int worker_processes = 2;
    int drain_timeout_s = 5;
    double proxy_default_timeout_s = 2;
    /// A JSON object merged into the generated gateway config (objects merge key by key), e.g.
    /// R"({"listen_port": "8080"})" or R"({"sluice": {"heartbeat_interval": 1}})".
    std::string gateway_extra_json = "{}";
};

/// One real `sluice` master (and its workers) in a temp dir, Test::Nginx style: writes the gateway
/// config and API definitions, fork+execs SLUICE_BINARY with stdout+stderr in a log file, waits for
/// the port file. Teardown stops it (SIGTERM, then SIGKILL by pid), expects exit status 0 when it
/// had to stop it, no `[critical]` log line and no surviving worker (no orphans).
class SluiceProcess
{
public:
    explicit SluiceProcess(SluiceOptions options = {});
    ~SluiceProcess();
    SluiceProcess(const SluiceProcess &) = delete;
    SluiceProcess & operator=(const SluiceProcess &) = delete;

    /// A keyless, non-versioned Tyk API definition; `extra_json` is merged into it
    /// (e.g. R"({"use_keyless": false})" or R"({"proxy": {"disable_strip_slash": true}})").
    static std::string apiDefinition(const std::string & api_id, const std::string & listen_path,
                                     const std::string & target_url, bool strip_listen_path = true,
                                     const std::string & extra_json = "{}");
    /// Adds `apps/<file_name>` with `text` as is (may be invalid on purpose).
    void addApiFile(const std::string & file_name, const std::string & text);
    /// Adds `apps/<api_id>.json` = apiDefinition(...).
    void addApi(const std::string & api_id, const std::string & listen_path, const std::string & target_url,
                bool strip_listen_path = true, const std::string & extra_json = "{}");
    /// Replaces the generated gateway config by `text` (bad-config tests).
    void setGatewayConfigText(const std::string & text) { gateway_text_override_ = text; }

    /// Writes the gateway config and the API files; returns the gateway config path.
    std::string writeConfig();
    /// writeConfig(), then `sluice --conf FILE --port-file PATH`; waits until the port file appears.
    ::testing::AssertionResult start(Millis timeout = Millis(10000));
    /// Runs SLUICE_BINARY with `args` ("{conf}" is replaced by the config path) without waiting.
    ::testing::AssertionResult launch(const std::vector<std::string> & args);

    uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string & confPath() const { return conf_path_; }
    const TempDir & dir() const { return dir_; }

    /// The master's current children (remembered for the orphan check at teardown).
    std::vector<pid_t> workerPids();
    /// Waits until the master has exactly `count` children; stores them in `pids` when given.
    ::testing::AssertionResult waitForWorkers(size_t count, Millis timeout, std::vector<pid_t> * pids = nullptr);

    std::string logText() const;
    std::vector<std::string> logLines() const;
    /// Number of log lines containing `substring`.
    size_t countLog(const std::string & substring) const;
    /// Waits until at least `count` log lines contain `substring`.
    ::testing::AssertionResult waitForLog(const std::string & substring, Millis timeout, size_t count = 1);
    /// Waits until a log line matches the ECMAScript regex `pattern`; `match` gets the first such line.
    ::testing::AssertionResult waitForLogRegex(const std::string & pattern, Millis timeout,
                                               std::string * match = nullptr);

    /// kill(pid(), sig); false if the master is already reaped.
    bool signal(int sig);
    /// Waits for the master to exit and reaps it; the raw wait status, or nullopt on timeout.
    std::optional<int> waitExit(Millis timeout);
    bool reaped() const { return reaped_; }
    std::optional<int> exitStatus() const { return exit_status_; }

private:
    std::string gatewayConfigText() const;
    void rememberWorkers(const std::vector<pid_t> & pids);
    /// Workers ever seen (via /proc or "worker started pid=N" log lines) that are still alive.
    std::vector<pid_t> survivingWorkers();
    /// After a graceful stop every worker must exit by itself with status 0 (none SIGKILLed by the
    /// master for missing its drain deadline).
    void expectCleanWorkerExits() const;
    void teardown();

    SluiceOptions options_;
    TempDir dir_;
    std::string conf_path_;
    std::string port_file_;
    std::string log_path_;
    std::string gateway_text_override_;
    std::map<std::string, std::string> api_files_;
    pid_t pid_ = -1;
    uint16_t port_ = 0;
    bool reaped_ = false;
    std::optional<int> exit_status_;
    /// pid -> start time, so that a reused pid is never mistaken for our worker.
    std::map<pid_t, unsigned long long> known_workers_;
};

/// "exit(0)" / "signal(9)" for failure messages.
std::string describeStatus(int wait_status);

}
