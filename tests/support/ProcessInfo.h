#pragma once

#include "support/WaitFor.h"

#include <gtest/gtest.h>

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

/// Read-only views of /proc for the process assertions (workers, orphans). Nothing here signals.
namespace sluice::test
{

/// Direct children of `pid` (/proc/<pid>/task/<pid>/children; the master is single-threaded).
std::vector<pid_t> childrenOf(pid_t pid);

/// True while `pid` exists and is not a zombie.
bool processAlive(pid_t pid);

/// Start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22): with the pid it
/// identifies one process even if the pid is reused later. nullopt when the process is gone.
std::optional<unsigned long long> processStartTime(pid_t pid);

/// The parent pid, or nullopt when the process is gone.
std::optional<pid_t> parentOf(pid_t pid);

/// Live (non-zombie) processes whose command line contains `needle` as one argument's substring.
std::vector<pid_t> processesWithArgument(const std::string & needle);

/// "1 2 3" for failure messages.
std::string pidList(const std::vector<pid_t> & pids);

/// Waits until none of `pids` is alive.
::testing::AssertionResult waitForProcessesGone(const std::vector<pid_t> & pids, Millis timeout);

}
