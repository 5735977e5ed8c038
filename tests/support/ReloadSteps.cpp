#include "support/ReloadSteps.h"

#include "support/ProcessInfo.h"

#include <dirent.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <thread>

namespace sluice::test
{

::testing::AssertionResult reloadBySignal(SluiceProcess & sluice, unsigned generation, Millis timeout)
{
    if (!sluice.signal(SIGHUP))
        return ::testing::AssertionFailure() << "cannot send SIGHUP to the master";
    return sluice.waitForLog("generation " + std::to_string(generation) + " ready", timeout);
}

namespace
{

constexpr int kFreezeAttempts = 5;

/// Tight-polls the master's children and SIGSTOPs each one not in `known` until `count` are stopped.
std::vector<pid_t> stopNewChildren(pid_t master, const std::vector<pid_t> & known, size_t count, Millis timeout)
{
    std::vector<pid_t> stopped;
    const auto deadline = Clock::now() + timeout;
    while (stopped.size() < count && Clock::now() < deadline)
        for (pid_t child : childrenOf(master))
            if (std::find(known.begin(), known.end(), child) == known.end()
                && std::find(stopped.begin(), stopped.end(), child) == stopped.end() && ::kill(child, SIGSTOP) == 0)
                stopped.push_back(child);
    return stopped;
}

}

::testing::AssertionResult reloadAndFreezeNewWorkers(SluiceProcess & sluice, size_t workers, unsigned & generation,
                                                     std::vector<pid_t> & frozen)
{
    const std::string gen = std::to_string(generation);
    for (int attempt = 1; attempt <= kFreezeAttempts; ++attempt, ++generation)
    {
        std::vector<pid_t> known = sluice.workerPids();
        if (!sluice.signal(SIGHUP))
            return ::testing::AssertionFailure() << "cannot send SIGHUP to the master";
        frozen = stopNewChildren(sluice.pid(), known, workers, Millis(3000));
        sluice.workerPids(); /// remembered for the orphan check at teardown
        if (frozen.size() != workers)
        {
            resume(frozen);
            return ::testing::AssertionFailure() << "generation " << generation << ": only " << frozen.size() << " of "
                                                 << workers << " new workers appeared";
        }
        /// A Ready sent just before the SIGSTOP is still reported: give the master a moment to log it.
        std::this_thread::sleep_for(Millis(50));
        bool too_quick = false;
        for (pid_t pid : frozen)
            too_quick = too_quick || sluice.countLog("worker ready pid=" + std::to_string(pid) + " ") > 0;
        if (!too_quick)
            return ::testing::AssertionSuccess();
        resume(frozen);
        if (auto ready = sluice.waitForLog("generation " + std::to_string(generation) + " ready", Millis(5000)); !ready)
            return ready;
    }
    return ::testing::AssertionFailure() << "new workers reported Ready before the test could freeze them, "
                                         << kFreezeAttempts << " times from generation " << gen;
}

void resume(const std::vector<pid_t> & pids)
{
    for (pid_t pid : pids)
        ::kill(pid, SIGCONT);
}

::testing::AssertionResult tykReload(uint16_t port, bool block, const std::string & secret,
                                     HttpTestClient::Exchange & out, Millis timeout)
{
    std::string headers = secret.empty() ? "" : "X-Tyk-Authorization: " + secret + "\r\n";
    std::string request = HttpTestClient::getRequest(block ? "/tyk/reload?block=true" : "/tyk/reload", headers);
    return HttpTestClient::exchange(port, request, out, timeout);
}

std::string numberedEvent(int n)
{
    return "id: " + std::to_string(n) + "\ndata: event " + std::to_string(n) + "\n\n";
}

std::vector<int> eventIds(const std::string & body)
{
    std::vector<int> ids;
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("id: ", 0) == 0)
            ids.push_back(std::atoi(line.c_str() + 4));
    return ids;
}

std::string sequenceProblem(const std::vector<int> & ids, int first)
{
    int expected = first;
    for (size_t i = 0; i < ids.size(); ++i, ++expected)
        if (ids[i] != expected)
        {
            std::string kind = ids[i] < expected ? "duplicate or out of order" : "lost";
            return "event #" + std::to_string(i) + " has id " + std::to_string(ids[i]) + ", expected "
                   + std::to_string(expected) + " (" + kind + ")";
        }
    return "";
}

int openFdCount(pid_t pid)
{
    DIR * dir = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
    if (dir == nullptr)
        return -1;
    int count = 0;
    while (dirent * entry = ::readdir(dir))
        if (entry->d_name[0] != '.')
            ++count;
    ::closedir(dir);
    return count;
}

std::vector<std::string> logMatches(const SluiceProcess & sluice, const std::string & pattern)
{
    const std::regex re(pattern);
    std::vector<std::string> found;
    for (const auto & line : sluice.logLines())
        if (std::regex_search(line, re))
            found.push_back(line);
    return found;
}

}
