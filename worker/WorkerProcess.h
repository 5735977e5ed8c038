#pragma once

#include "shared/Config.h"

#include <Poco/Net/ServerSocket.h>

/// The body of a worker process, called in the child right after fork(). It knows nothing of its siblings or of
/// reloads: it serves until its master says Drain (or dies), then drains and returns the exit code.
namespace sluice::worker
{

struct WorkerLaunch
{
    PlanPtr plan;
    Poco::Net::ServerSocket listen;  /// shared with the master and every other worker; non-blocking
    int channel_fd = -1;             /// this worker's end of its channel to the master
    unsigned generation = 0;
    int slot = 0;
};

/// Runs the worker and ends the process with _exit() and a code from shared/ExitCodes.h: 0 once drained,
/// kWorkerFatal when it cannot serve at all. Throws only if it fails before serving.
[[noreturn]] void runWorker(WorkerLaunch launch);

}
