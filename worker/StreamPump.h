#pragma once

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace spdlog { class logger; }

namespace sluice::worker
{

/// How the upstream delimits the body that follows its response headers.
enum class UpstreamFraming
{
    Chunked,        /// Transfer-Encoding: chunked; ends at the terminal chunk
    ContentLength,  /// exactly content_length bytes
    CloseDelimited, /// until the upstream closes
    Tunnel,         /// 101 Switching Protocols: raw bytes both ways until either side closes
};

/// How the body goes to the client.
enum class ClientFraming
{
    Chunked, /// re-chunked, one chunk per upstream read, terminal chunk at the end
    Raw,     /// bytes as they are (HTTP/1.0 client, Content-Length body, or a tunnel)
};

/// Everything the pump needs to take a stream over from a Poco request thread. The response headers
/// are already on the client's wire; both sockets are detached from Poco and still blocking.
struct StreamSpec
{
    Poco::Net::StreamSocket client;
    Poco::Net::StreamSocket upstream;
    std::string upstream_prefetched; /// body bytes Poco read past the upstream headers (still framed)
    std::string client_prefetched;   /// tunnels only: bytes the client sent past its request
    UpstreamFraming upstream_framing = UpstreamFraming::Chunked;
    int64_t content_length = -1;     /// for UpstreamFraming::ContentLength
    ClientFraming client_framing = ClientFraming::Chunked;
    bool sse = false;                /// text/event-stream: count events, heartbeats, error event

    /// For the summary line.
    std::string api_id;
    std::string method;
    std::string path;
    std::string client_address;
    int status = 200;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

struct PumpSettings
{
    /// Upstream sent nothing for this long -> stream ended like a clean end ("idle_timeout"). Zero = never.
    std::chrono::milliseconds upstream_idle_timeout{600000};
    /// Bytes queued for the client made no progress for this long -> stream closed ("write_stall"). Zero = never.
    std::chrono::milliseconds client_write_timeout{120000};
    /// SSE only: send ": ping\n\n" to the client after this much silence, at event boundaries. Zero = off.
    std::chrono::milliseconds heartbeat_interval{0};
    /// Above this many bytes queued for the client, stop reading the upstream (backpressure).
    size_t client_buffer_limit = 64 * 1024;
};

class StreamPumpImpl;

/// One epoll thread that relays every detached stream of a worker: non-blocking, bounded buffers,
/// close propagation both ways, idle timeouts, and one summary log line per finished stream (info level):
/// `stream end api= method= path= client= status= duration_ms= bytes_to_client= bytes_from_client= events=
/// closed_by= reason=`. bytes_to_client counts upstream payload forwarded (no chunk framing, heartbeats or error
/// event). closed_by/reason pairs: upstream end_of_stream|upstream_truncated|upstream_reset|bad_chunk,
/// client client_closed|write_stall, gateway idle_timeout|<closeAll reason>|pump_stopped|setup_failed|
/// epoll_failed|internal_error. Tunnels: closed_by is the side that closed first.
class StreamPump
{
public:
    StreamPump(PumpSettings settings, std::shared_ptr<spdlog::logger> log);
    ~StreamPump(); /// stops the thread; streams still open are closed abruptly

    void start();

    /// Thread-safe. Takes the stream over; false (and the sockets closed) when the pump is closing.
    bool adopt(StreamSpec spec);

    /// Streams adopted and not yet finished (thread-safe, cheap).
    size_t activeStreams() const;

    /// Thread-safe. Ends every stream cleanly (terminal chunk for chunked clients, then close) and
    /// refuses new ones; reason goes into each summary line ("drain_deadline", "shutdown").
    void closeAll(const std::string & reason);

    /// Waits up to `timeout` for activeStreams() to reach zero; true if it did.
    bool waitIdle(std::chrono::milliseconds timeout);

    /// Stops and joins the thread (after closeAll if streams must end cleanly); streams still open are closed
    /// at once (reason pump_stopped) and adopt() refuses from then on. Idempotent; the destructor calls it.
    void stop();

private:
    std::unique_ptr<StreamPumpImpl> impl_;
};

}
