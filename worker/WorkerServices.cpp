#include "worker/WorkerServices.h"

#include "shared/Logging.h"

#include <cmath>

namespace sluice::worker
{

namespace
{

UpstreamTimeouts timeoutsFor(const GatewayConfig & gw)
{
    UpstreamTimeouts t;
    double dial = gw.proxy_default_timeout_s;
    t.connect = Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(dial * 1e6));
    /// Tyk truncates the float to whole seconds for the response-header wait (0.5 -> no limit).
    t.response_header = Poco::Timespan(static_cast<long>(std::trunc(dial)), 0);
    t.send = Poco::Timespan(gw.http.read_timeout_s, 0);
    return t;
}

}

WorkerServices::WorkerServices(PlanPtr plan_, StreamPump & pump_, ReloadRelay & reload_, size_t max_streams_)
    : plan(std::move(plan_))
    , gateway(plan->gateway)
    , routes(*plan)
    , upstreams(static_cast<size_t>(gateway.max_idle_connections_per_host), !gateway.proxy_close_connections,
                timeoutsFor(gateway))
    , pump(pump_)
    , reload(reload_)
    , max_streams(max_streams_)
    , error_style{!gateway.hide_generator_header, gateway.close_connections}
    , upstream_body_timeout(Poco::Timespan(gateway.sluice.stream_idle_timeout_s, 0))
    , log(workerLog())
    , access(accessLog())
{
}

}
