#include "support/SluiceProcess.h"

#include "support/ProcessInfo.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

namespace sluice::test
{

namespace
{

using Poco::JSON::Object;

Object::Ptr parseObject(const std::string & text)
{
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Object::Ptr>();
}

/// Objects merge key by key; anything else in `from` replaces the value in `into`.
void mergeInto(Object & into, const Object & from)
{
    for (const auto & [key, value] : from)
    {
        if (value.type() == typeid(Object::Ptr) && into.has(key) && into.isObject(key))
            mergeInto(*into.getObject(key), *value.extract<Object::Ptr>());
        else
            into.set(key, value);
    }
}

std::string stringify(const Object & object)
{
    std::ostringstream text;
    object.stringify(text, 2);
    return text.str();
}

std::string tail(const std::string & text, size_t bytes)
{
    return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

}

std::string describeStatus(int wait_status)
{
    if (WIFEXITED(wait_status))
        return "exit(" + std::to_string(WEXITSTATUS(wait_status)) + ")";
    if (WIFSIGNALED(wait_status))
        return "signal(" + std::to_string(WTERMSIG(wait_status)) + ")";
    return "status(" + std::to_string(wait_status) + ")";
}

SluiceProcess::SluiceProcess(SluiceOptions options) : options_(std::move(options))
{
    conf_path_ = dir_.file("sluice.json");
    port_file_ = dir_.file("sluice.port");
    log_path_ = dir_.file("sluice.log");
    dir_.mkdir("apps");
}

SluiceProcess::~SluiceProcess()
{
    teardown();
}

std::string SluiceProcess::apiDefinition(const std::string & api_id, const std::string & listen_path,
                                         const std::string & target_url, bool strip_listen_path,
                                         const std::string & extra_json)
{
    Object::Ptr api = parseObject(R"({"org_id": "default", "use_keyless": true, "active": true,
        "version_data": {"not_versioned": true, "versions": {"Default": {"name": "Default"}}}})");
    api->set("name", api_id);
    api->set("api_id", api_id);
    Object::Ptr proxy = new Object;
    proxy->set("listen_path", listen_path);
    proxy->set("strip_listen_path", strip_listen_path);
    proxy->set("target_url", target_url);
    api->set("proxy", proxy);
    mergeInto(*api, *parseObject(extra_json));
    return stringify(*api);
}

void SluiceProcess::addApiFile(const std::string & file_name, const std::string & text)
{
    api_files_[file_name] = text;
}

void SluiceProcess::addApi(const std::string & api_id, const std::string & listen_path,
                           const std::string & target_url, bool strip_listen_path, const std::string & extra_json)
{
    addApiFile(api_id + ".json", apiDefinition(api_id, listen_path, target_url, strip_listen_path, extra_json));
}

std::string SluiceProcess::gatewayConfigText() const
{
    if (!gateway_text_override_.empty())
        return gateway_text_override_;
    Object::Ptr config = parseObject(R"({"listen_address": "127.0.0.1", "listen_port": 0, "secret": "s3cret",
        "http_server_options": {"enable_websockets": true, "read_timeout": 120, "write_timeout": 120,
                                "flush_interval": 1},
        "sluice": {"stream_idle_timeout": 600, "heartbeat_interval": 0}})");
    config->set("app_path", dir_.file("apps"));
    double timeout = options_.proxy_default_timeout_s;
    /// Integral values are written as integers: the file then looks like a hand-written one.
    if (timeout == static_cast<int>(timeout))
        config->set("proxy_default_timeout", static_cast<int>(timeout));
    else
        config->set("proxy_default_timeout", timeout);
    config->getObject("sluice")->set("worker_processes", options_.worker_processes);
    config->getObject("sluice")->set("drain_timeout", options_.drain_timeout_s);
    mergeInto(*config, *parseObject(options_.gateway_extra_json));
    return stringify(*config);
}

std::string SluiceProcess::writeConfig()
{
    dir_.write("sluice.json", gatewayConfigText());
    for (const auto & [name, text] : api_files_)
        dir_.write("apps/" + name, text);
    return conf_path_;
}

::testing::AssertionResult SluiceProcess::launch(const std::vector<std::string> & args)
{
    if (pid_ > 0 && !reaped_)
        return ::testing::AssertionFailure() << "sluice is already running as pid " << pid_;
    std::vector<std::string> argv_text{sluiceBinary()};
    for (const auto & arg : args)
        argv_text.push_back(arg == "{conf}" ? conf_path_ : arg);
    std::vector<char *> argv;
    for (auto & arg : argv_text)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    /// Everything the child needs is prepared before fork(): the test process has threads, so the
    /// child may only make async-signal-safe calls until execv().
    int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log_fd == -1 || null_fd == -1)
        return ::testing::AssertionFailure() << "cannot open " << log_path_ << " or /dev/null: " << std::strerror(errno);
    pid_t parent = ::getpid();
    pid_t child = ::fork();
    if (child == 0)
    {
        /// If the test process dies, so does the gateway (its workers follow their master).
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127);
        ::dup2(null_fd, 0);
        ::dup2(log_fd, 1);
        ::dup2(log_fd, 2);
        ::close_range(3, ~0U, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        ::execv(argv[0], argv.data());
        const char message[] = "SluiceProcess: execv() of the sluice binary failed\n";
        ssize_t ignored = ::write(2, message, sizeof message - 1);
        (void)ignored;
        ::_exit(127);
    }
    int fork_errno = errno;
    ::close(log_fd);
    ::close(null_fd);
    if (child == -1)
        return ::testing::AssertionFailure() << "fork() failed: " << std::strerror(fork_errno);
    pid_ = child;
    reaped_ = false;
    exit_status_.reset();
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult SluiceProcess::start(Millis timeout)
{
    writeConfig();
    ::unlink(port_file_.c_str());
    if (auto launched = launch({"--conf", "{conf}", "--port-file", port_file_}); !launched)
        return launched;
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline)
    {
        std::string text = readFile(port_file_);
        if (!text.empty() && text.back() == '\n')
        {
            int port = std::atoi(text.c_str());
            if (port <= 0 || port > 65535)
                return ::testing::AssertionFailure() << "port file holds \"" << text << "\"";
            port_ = static_cast<uint16_t>(port);
            rememberWorkers(childrenOf(pid_));
            return ::testing::AssertionSuccess();
        }
        if (auto status = waitExit(Millis(0)))
            return ::testing::AssertionFailure() << "sluice exited with " << describeStatus(*status)
                                                 << " before writing the port file; log:\n" << logText();
        std::this_thread::sleep_for(Millis(5));
    }
    return ::testing::AssertionFailure() << "no port file after " << timeout.count() << " ms; log:\n" << logText();
}

std::vector<pid_t> SluiceProcess::workerPids()
{
    if (pid_ <= 0 || reaped_)
        return {};
    auto pids = childrenOf(pid_);
    rememberWorkers(pids);
    return pids;
}

::testing::AssertionResult SluiceProcess::waitForWorkers(size_t count, Millis timeout, std::vector<pid_t> * pids)
{
    std::vector<pid_t> now;
    auto result = waitFor([&] { return (now = workerPids()).size() == count; }, timeout,
                          std::to_string(count) + " workers");
    if (!result)
        return result << "; children now: " << pidList(now);
    if (pids)
        *pids = now;
    return result;
}

void SluiceProcess::rememberWorkers(const std::vector<pid_t> & pids)
{
    for (pid_t pid : pids)
        if (auto started = processStartTime(pid))
            known_workers_.emplace(pid, *started);
}

std::vector<pid_t> SluiceProcess::survivingWorkers()
{
    static const std::regex kStarted(R"(worker started pid=(\d+))");
    std::vector<pid_t> alive;
    for (const auto & [pid, started] : known_workers_)
        if (processAlive(pid) && processStartTime(pid) == started)
            alive.push_back(pid);
    /// Workers the test never looked at: the master logs each one it forks.
    for (const auto & line : logLines())
    {
        std::smatch match;
        if (!std::regex_search(line, match, kStarted))
            continue;
        pid_t pid = std::atoi(match[1].str().c_str());
        bool seen = known_workers_.count(pid) > 0;
        if (!seen && processAlive(pid) && readFile("/proc/" + std::to_string(pid) + "/cmdline").find(conf_path_)
                                              != std::string::npos)
            alive.push_back(pid);
    }
    for (pid_t pid : processesWithArgument(conf_path_))
        if (std::find(alive.begin(), alive.end(), pid) == alive.end() && pid != pid_)
            alive.push_back(pid);
    return alive;
}

std::string SluiceProcess::logText() const
{
    return readFile(log_path_);
}

std::vector<std::string> SluiceProcess::logLines() const
{
    std::vector<std::string> lines;
    std::istringstream text(logText());
    for (std::string line; std::getline(text, line);)
        lines.push_back(line);
    return lines;
}

size_t SluiceProcess::countLog(const std::string & substring) const
{
    size_t n = 0;
    for (const auto & line : logLines())
        n += line.find(substring) != std::string::npos ? 1 : 0;
    return n;
}

::testing::AssertionResult SluiceProcess::waitForLog(const std::string & substring, Millis timeout, size_t count)
{
    auto result = waitFor([&] { return countLog(substring) >= count; }, timeout,
                          std::to_string(count) + " log line(s) with \"" + substring + "\"");
    if (!result)
        result << "; log:\n" << tail(logText(), 6000);
    return result;
}

::testing::AssertionResult SluiceProcess::waitForLogRegex(const std::string & pattern, Millis timeout,
                                                          std::string * match)
{
    const std::regex re(pattern);
    auto found = [&] {
        for (const auto & line : logLines())
            if (std::regex_search(line, re))
            {
                if (match)
                    *match = line;
                return true;
            }
        return false;
    };
    auto result = waitFor(found, timeout, "a log line matching /" + pattern + "/");
    if (!result)
        result << "; log:\n" << tail(logText(), 6000);
    return result;
}

bool SluiceProcess::signal(int sig)
{
    if (pid_ <= 0 || reaped_)
        return false;
    workerPids();
    return ::kill(pid_, sig) == 0;
}

std::optional<int> SluiceProcess::waitExit(Millis timeout)
{
    if (pid_ <= 0)
        return std::nullopt;
    if (reaped_)
        return exit_status_;
    const auto deadline = Clock::now() + timeout;
    while (true)
    {
        /// Keep learning the workers while the master lives, for the orphan check.
        rememberWorkers(childrenOf(pid_));
        int status = 0;
        pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_)
        {
            reaped_ = true;
            exit_status_ = status;
            return status;
        }
        if (done == -1 && errno != EINTR)
        {
            ADD_FAILURE() << "waitpid(" << pid_ << ") failed: " << std::strerror(errno);
            return std::nullopt;
        }
        if (Clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(Millis(5));
    }
}

void SluiceProcess::expectCleanWorkerExits() const
{
    bool stopping = false;
    for (const auto & line : logLines())
    {
        stopping = stopping || line.find("stop requested") != std::string::npos;
        if (stopping && line.find("worker exited") != std::string::npos
            && line.find("status=exit(0)") == std::string::npos)
            ADD_FAILURE() << "a worker did not drain cleanly on SIGTERM: " << line;
    }
}

void SluiceProcess::teardown()
{
    if (pid_ <= 0)
        return;
    if (!reaped_)
    {
        signal(SIGTERM);
        /// Longer than the master's own escalation (drain deadline + 5 s, then SIGKILL), so that a
        /// worker stuck in its drain shows up as the master's log line, checked below.
        Millis grace((options_.drain_timeout_s + 8) * 1000);
        auto status = waitExit(grace);
        if (!status)
        {
            ADD_FAILURE() << "sluice master " << pid_ << " still running " << grace.count()
                          << " ms after SIGTERM; sending SIGKILL";
            ::kill(pid_, SIGKILL);
            waitExit(Millis(5000));
        }
        else if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
            ADD_FAILURE() << "sluice master exited with " << describeStatus(*status) << " after SIGTERM, expected exit(0)";
        expectCleanWorkerExits();
    }
    std::vector<pid_t> orphans;
    if (!waitFor([&] { return (orphans = survivingWorkers()).empty(); }, Millis(3000), "sluice workers to exit"))
    {
        ADD_FAILURE() << "orphaned sluice processes after the master exited: " << pidList(orphans);
        for (pid_t pid : orphans)
            ::kill(pid, SIGKILL);
    }
    for (const auto & line : logLines())
        if (line.find("[critical]") != std::string::npos)
            ADD_FAILURE() << "critical log line: " << line;
    if (::testing::Test::HasFailure())
        std::cerr << "---- sluice log (" << log_path_ << ") ----\n" << tail(logText(), 12000) << "---- end ----\n";
}

}
