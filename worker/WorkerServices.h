#pragma once

#include "shared/Config.h"
#include "worker/ErrorResponses.h"
#include "worker/ReloadRelay.h"
#include "worker/RouteTable.h"
#include "worker/StreamPump.h"
#include "worker/UpstreamPool.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace spdlog { class logger; }

/// What a worker's request handlers share: the immutable plan and the per-worker machinery built from it.
/// Built once per worker process; a worker's view never changes (a reload means new workers).
namespace sluice::worker
{

struct WorkerServices
{
    WorkerServices(PlanPtr plan_, StreamPump & pump_, ReloadRelay & reload_, size_t max_streams_);

    const PlanPtr plan;
    const GatewayConfig & gateway;
    const RouteTable routes;
    UpstreamPool upstreams;
    StreamPump & pump;
    ReloadRelay & reload;
    const size_t max_streams;
    const ErrorStyle error_style;
    /// Receive timeout on an upstream once its headers arrived (body of a fixed-length response).
    const Poco::Timespan upstream_body_timeout;
    std::atomic<bool> draining{false};
    /// For the periodic stats line (relaxed order: only read for reporting).
    std::atomic<uint64_t> requests_total{0};
    std::atomic<uint64_t> streams_total{0};
    std::atomic<uint64_t> upstream_errors_total{0};
    /// Round-robin position for APIs with a target_list.
    std::atomic<uint64_t> balance_counter{0};

    std::shared_ptr<spdlog::logger> log;
    std::shared_ptr<spdlog::logger> access;
};

}
