#include "worker/AccessLog.h"

#include <Poco/Net/HTTPServerRequest.h>

#include <spdlog/logger.h>

namespace sluice::worker
{

void logAccess(spdlog::logger & log, const Poco::Net::HTTPServerRequest & request, int status,
               const std::string & api_id, std::chrono::steady_clock::time_point started, int64_t bytes, bool stream)
{
    if (!log.should_log(spdlog::level::info))
        return;
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    const std::string & uri = request.getURI();
    log.info("method={} path={} status={} api={} client={} duration_ms={:.3f} bytes={} stream={}",
             request.getMethod(), uri.substr(0, uri.find('?')), status, api_id.empty() ? "-" : api_id,
             request.clientAddress().toString(), ms, bytes, stream ? 1 : 0);
}

}
