#pragma once

#include "bench/plain/DripperSet.h"
#include "bench/plain/PacedRequests.h"

#include <sys/types.h>

#include <string>
#include <vector>

namespace sluice::bench
{

struct SlowClientsOptions
{
    DripperOptions drippers;
    PacedOptions paced;
    int duration_s = 20;             /// the paced requests' schedule, which starts once the drippers are connected
    int connect_phase_timeout_s = 30; /// bound on connecting the drippers
    std::vector<pid_t> proxy_pids;   /// CPU and RSS of these and their descendants are reported
};

struct SlowClientsResult
{
    DripperResult drippers;
    PacedResult paced;
    double measured_s = 0;    /// from the first scheduled request to the end of the run
    double proxy_cpu_s = 0;   /// during the measurement
    int64_t proxy_rss_kb = 0; /// at the end of the schedule, drippers still connected
};

/// The slow-client scenario: connects the drippers, then runs the paced requests for duration_s while
/// the drippers drip, waits for the last answers (at most request_timeout_ms), and closes everything.
/// One thread, one epoll set; bounded by connect_phase_timeout_s + duration_s + request_timeout_ms.
SlowClientsResult runSlowClients(SlowClientsOptions options);

/// One JSON object on one line, flat except for the reason maps, like the other bench clients.
std::string slowClientsJson(const SlowClientsOptions & options, const SlowClientsResult & result);

/// One line a person can read at a glance.
std::string slowClientsHuman(const SlowClientsResult & result);

}
