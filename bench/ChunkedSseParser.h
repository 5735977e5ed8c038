#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::bench
{

/// What the client needs from one event: the emitter's CLOCK_MONOTONIC send time and the stream's
/// sequence number, both taken from the first `data:` line (`data: <send_ns> <seq> <padding>`).
/// An event whose data line does not start with two numbers has `sent_ns == -1`.
struct SseSample
{
    int64_t sent_ns = -1;
    uint64_t seq = 0;
};

/// Decodes an HTTP/1.1 response body, chunked or raw (close-delimited), and cuts the Server-Sent Events
/// out of it. Works on arbitrary splits: an event may span chunks and reads, a read may end anywhere,
/// because a proxy is free to re-frame the bytes it relays.
class ChunkedSseParser
{
public:
    explicit ChunkedSseParser(bool chunked = true);

    /// Feeds body bytes; appends one sample per completed event (blank line) to `out`. Returns false on
    /// a chunk framing error; error() then says what was wrong and the parser accepts nothing more.
    bool feed(const char * data, size_t size, std::vector<SseSample> & out);

    /// The terminal chunk (and trailer) arrived: the response ended cleanly.
    bool finished() const { return state_ == State::Done; }

    const std::string & error() const { return error_; }

private:
    enum class State
    {
        Size,    /// reading the hex chunk-size line
        Data,    /// inside a chunk, `remaining_` bytes to go
        DataEnd, /// the CRLF after a chunk's data
        Trailer, /// after the last chunk: trailer lines up to an empty one
        Done,
        Failed,
    };

    size_t feedChunked(const char * data, size_t size, std::vector<SseSample> & out);
    bool endSizeLine();
    void feedEventBytes(const char * data, size_t size, std::vector<SseSample> & out);
    void endEventLine(std::vector<SseSample> & out);
    bool fail(const std::string & reason);

    bool chunked_;
    State state_ = State::Size;
    uint64_t remaining_ = 0;
    std::string frame_line_;  /// a size or trailer line being assembled
    std::string event_line_;  /// an event line being assembled
    bool event_has_data_ = false;
    SseSample event_;
    std::string error_;
};

}
