#pragma once

#include "support/ChunkParser.h"
#include "support/HeaderList.h"
#include "support/WaitFor.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sluice::test
{

/// One request as the upstream received it.
struct RecordedRequest
{
    std::string method;
    std::string target;  /// request-target exactly as sent: "/events/?x=1"
    std::string version; /// "HTTP/1.1"
    HeaderList headers;
    std::string body;    /// decoded (chunked framing removed)
    bool chunked = false;
    Clock::time_point at;
    std::string path() const { return target.substr(0, target.find('?')); }
    std::string query() const;
};

/// What the upstream does with a request that matched a path prefix.
struct UpstreamReply
{
    enum class Kind
    {
        Fixed,         /// status + headers + body (Content-Length added unless given)
        Stream,        /// headers now; the test then pushes bytes with sendEvent()/ends with endStream()
        CloseAbruptly, /// close the connection without answering
        Hang,          /// never answer; keep the connection until the peer or the test ends it
    };
    Kind kind = Kind::Fixed;
    int status = 200;
    std::string reason = "OK";
    std::vector<std::pair<std::string, std::string>> headers; /// sent as given, in order
    std::string body;
    int header_delay_ms = 0; /// wait this long after the request before sending anything
    bool chunked = true;     /// Stream only: chunked framing, else raw bytes delimited by close

    static UpstreamReply text(int status, std::string body, std::string content_type = "text/plain");
    /// An SSE endpoint like the issue's: 200, text/event-stream, chunked, Connection: keep-alive.
    static UpstreamReply sse();
    static UpstreamReply closeAbruptly();
    static UpstreamReply hang();
};

/// How the upstream ends a stream.
enum class StreamEnd
{
    Clean,  /// terminal chunk, then FIN
    Fin,    /// FIN in the middle of the body (no terminal chunk)
    Reset,  /// RST (SO_LINGER 0)
};

/// An HTTP/1.1 server on 127.0.0.1:<ephemeral> inside the test process, one thread per connection.
/// It records every request, answers by longest matching path prefix (unmatched: 404), and keeps
/// stream connections under the test's control: the test pushes each event as its own chunk and
/// can wait for the gateway to close the upstream connection.
class FakeUpstream
{
public:
    static constexpr int kAllStreams = -1;

    FakeUpstream();
    ~FakeUpstream();
    FakeUpstream(const FakeUpstream &) = delete;
    FakeUpstream & operator=(const FakeUpstream &) = delete;

    uint16_t port() const { return port_; }
    /// "http://127.0.0.1:<port>"
    std::string url() const;
    /// Requests whose path starts with `path_prefix` get `reply` (longest prefix wins).
    void on(const std::string & path_prefix, UpstreamReply reply);

    std::vector<RecordedRequest> requests() const;
    ::testing::AssertionResult waitForRequests(size_t count, Millis timeout);

    size_t acceptedConnections() const;
    size_t openConnections() const;
    ::testing::AssertionResult waitForOpenConnections(size_t count, Millis timeout);

    /// Streams started so far (index = order of their requests).
    size_t streamCount() const;
    ::testing::AssertionResult waitForStreams(size_t count, Millis timeout);
    /// Writes `bytes` as one chunk (one send()) to stream `stream` or to every open stream.
    /// Returns the instant just before the write, or nullopt when no open stream took it.
    /// Writes under the upstream's lock: meant for events, not for megabytes to a stalled reader.
    std::optional<Clock::time_point> sendEvent(const std::string & bytes, int stream = kAllStreams);
    void endStream(int stream = kAllStreams, StreamEnd how = StreamEnd::Clean);
    /// Waits until the gateway closed the upstream side of `stream` (seen with poll(POLLIN|POLLRDHUP)
    /// + recv(MSG_PEEK) == 0 while the stream is idle). Reports how long after `since` it happened.
    ::testing::AssertionResult waitForPeerClose(int stream, Millis timeout);
    bool closedByPeer(int stream) const;
    /// When the peer close of `stream` was noticed (valid once closedByPeer()).
    Clock::time_point peerClosedAt(int stream) const;

private:
    struct Stream
    {
        int fd = -1;
        bool chunked = true;
        bool ended = false;          /// ended by the test
        bool closed_by_peer = false;
        Clock::time_point closed_at;
    };

    void acceptLoop();
    void serve(int fd);
    /// Reads one request into `out`; false when the connection ended or the request was malformed.
    bool readRequest(int fd, std::string & buffer, RecordedRequest & out);
    UpstreamReply replyFor(const std::string & path) const;
    /// Waits (interruptibly) for `ms`; false when the server is stopping.
    bool pause(int ms);
    /// Blocks until the peer closes `fd`, the test ends the stream, or the server stops.
    void watchIdle(int fd, int stream_index);
    void sendFixed(int fd, const UpstreamReply & reply);
    int startStream(int fd, const UpstreamReply & reply);

    int listen_fd_ = -1;
    uint16_t port_ = 0;
    std::thread acceptor_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool stopping_ = false;
    std::map<std::string, UpstreamReply> replies_;
    std::vector<RecordedRequest> requests_;
    std::vector<std::thread> connection_threads_;
    std::vector<int> open_fds_;
    size_t accepted_ = 0;
    std::vector<std::unique_ptr<Stream>> streams_;
};

}
