#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace spdlog { class logger; }
namespace Poco::Net { class HTTPServerRequest; }

namespace sluice::worker
{

/// One access line per request, key=value so that both people and log shippers can read it:
/// `method=GET path=/sse/events/ status=200 api=sse client=127.0.0.1:5555 duration_ms=1.2 bytes=0 stream=1`.
/// For a stream, duration and bytes cover the headers' exchange; its summary line comes when it ends.
void logAccess(spdlog::logger & log, const Poco::Net::HTTPServerRequest & request, int status,
               const std::string & api_id, std::chrono::steady_clock::time_point started, int64_t bytes,
               bool stream);

}
