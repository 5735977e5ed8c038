#pragma once

#include <sys/types.h>

#include <chrono>
#include <vector>

namespace sluice::bench::reload
{

/// How a master's worker set changed after one reload signal, timed from the kill() that sent it.
struct WatchResult
{
    std::vector<pid_t> before;   /// the master's children when the signal was sent
    std::vector<pid_t> fresh;    /// children that were not there before (the new workers)
    double new_workers_ms = -1;  /// until `workers` new children existed (-1: not within the timeout)
    double old_gone_ms = -1;     /// until none of `before` was a child any more (-1: not within the timeout)
};

/// Direct children of `pid` (/proc/<pid>/task/<pid>/children; both masters are single-threaded).
std::vector<pid_t> childrenOf(pid_t pid);

/// Sends `signo` to `master` (a pid the caller started) and polls its children every 0.2 ms until `workers` new
/// ones exist and every old one is gone, or `timeout` passes. Throws std::system_error when kill() fails.
WatchResult watchReload(pid_t master, int signo, size_t workers, std::chrono::milliseconds timeout);

}
