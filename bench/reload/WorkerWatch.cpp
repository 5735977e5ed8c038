#include "bench/reload/WorkerWatch.h"

#include <csignal>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>

namespace sluice::bench::reload
{

std::vector<pid_t> childrenOf(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    std::vector<pid_t> children;
    for (pid_t child; in >> child;)
        children.push_back(child);
    return children;
}

WatchResult watchReload(pid_t master, int signo, size_t workers, std::chrono::milliseconds timeout)
{
    using Clock = std::chrono::steady_clock;
    WatchResult result;
    result.before = childrenOf(master);
    const auto sent = Clock::now();
    if (::kill(master, signo) == -1)
        throw std::system_error(errno, std::generic_category(), "kill(" + std::to_string(master) + ") failed");
    auto elapsed = [&] { return std::chrono::duration<double, std::milli>(Clock::now() - sent).count(); };
    const auto deadline = sent + timeout;
    while (Clock::now() < deadline && (result.new_workers_ms < 0 || result.old_gone_ms < 0))
    {
        std::vector<pid_t> now = childrenOf(master);
        for (pid_t child : now)
            if (std::find(result.before.begin(), result.before.end(), child) == result.before.end()
                && std::find(result.fresh.begin(), result.fresh.end(), child) == result.fresh.end())
                result.fresh.push_back(child);
        if (result.new_workers_ms < 0 && result.fresh.size() >= workers)
            result.new_workers_ms = elapsed();
        bool old_left = std::any_of(result.before.begin(), result.before.end(), [&](pid_t old) {
            return std::find(now.begin(), now.end(), old) != now.end();
        });
        if (result.old_gone_ms < 0 && !old_left)
            result.old_gone_ms = elapsed();
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return result;
}

}
