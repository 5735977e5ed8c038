#pragma once

#include "shared/Config.h"

#include <Poco/Net/ServerSocket.h>

#include <chrono>
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

/// The master's table of worker processes: fork, channel bookkeeping, lookup. Policy (when to respawn, drain or
/// kill) belongs to the Master; this class only knows how to start and track a process.
namespace sluice::master
{

using Clock = std::chrono::steady_clock;

struct WorkerRecord
{
    enum class State
    {
        Starting, /// forked, Ready not yet received
        Serving,
        Draining, /// told to Drain; SIGKILLed at kill_at
    };

    pid_t pid = -1;
    unsigned generation = 0;
    int slot = 0;
    int channel_fd = -1; /// master's end
    State state = State::Starting;
    Clock::time_point started;
    Clock::time_point kill_at = Clock::time_point::max();
    /// Reported DrainStarted: its listening descriptor is closed, new connections go elsewhere.
    bool accepting_stopped = false;
    /// Told to end its streams at once (its generation was over the draining cap, or a second stop signal).
    bool hurried = false;
};

class WorkerSet
{
public:
    /// `before_child_runs` runs in the child right after fork (the master releases its signal mask there).
    explicit WorkerSet(std::function<void()> before_child_runs);
    ~WorkerSet();

    /// Forks one worker of `generation` in `slot`; the child never returns from here.
    /// Throws std::system_error when socketpair() or fork() fails.
    WorkerRecord & spawn(const PlanPtr & plan, Poco::Net::ServerSocket & listen, unsigned generation, int slot);

    WorkerRecord * findByPid(pid_t pid);
    WorkerRecord * findByChannel(int fd);
    /// Forgets a reaped worker and closes its channel.
    void remove(pid_t pid);

    std::vector<WorkerRecord> & records() { return records_; }
    const std::vector<WorkerRecord> & records() const { return records_; }
    size_t size() const { return records_.size(); }

private:
    std::vector<WorkerRecord> records_;
    std::function<void()> before_child_runs_;
};

/// "exit(0)", "signal(9)".
std::string describeWaitStatus(int status);

}
