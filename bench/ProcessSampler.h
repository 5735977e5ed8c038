#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::bench
{

/// Memory and CPU of the proxy under test, read from /proc: the given pids plus, optionally, all their
/// descendants at the moment of sampling (a master's workers, including any respawned one).
class ProcessSampler
{
public:
    struct Sample
    {
        int64_t rss_kb = 0;      /// summed VmRSS
        double cpu_seconds = 0;  /// summed utime + stime since each process started
        size_t processes = 0;    /// how many of the pids could be read
    };

    ProcessSampler(std::vector<pid_t> roots, bool include_descendants);

    bool empty() const { return roots_.empty(); }
    Sample sample() const;

    /// The pids sampled right now (roots first), for the report.
    std::vector<pid_t> currentPids() const;

    /// Parses "1234,5678" (spaces and newlines allowed, as in a pid file). Throws std::invalid_argument.
    static std::vector<pid_t> parsePidList(const std::string & text);

    /// CPU time every process on the machine spent so far (busy time summed over cores, from /proc/stat),
    /// so a report can show how much of the hold went to processes outside the benchmark.
    static double machineBusySeconds();

    /// user + nice + system + irq + softirq + steal ticks from the aggregate "cpu" line of /proc/stat
    /// (guest time is already inside user); -1 if malformed.
    static int64_t parseBusyTicks(const std::string & proc_stat_text);

    /// VmRSS in KB from the text of /proc/<pid>/status; -1 if absent (kernel threads, zombies).
    static int64_t parseVmRssKb(const std::string & status_text);

    /// utime + stime in clock ticks from the text of /proc/<pid>/stat; -1 if malformed. The command
    /// name may contain spaces and parentheses, so fields are counted after the last ')'.
    static int64_t parseCpuTicks(const std::string & stat_text);

private:
    static std::vector<pid_t> childrenOf(pid_t pid);

    std::vector<pid_t> roots_;
    bool include_descendants_;
};

}
