#pragma once

#include <cstddef>
#include <string>
#include <vector>

/// Chunked transfer coding for the test side. Deliberately independent of worker/ChunkedDecoder: the
/// tests check the gateway's framing with code that does not share its bugs.
namespace sluice::test
{

/// Incremental decoder for a chunked body. Each complete chunk becomes one piece, so a test can see
/// whether the gateway kept one upstream write = one chunk. Trailers are read and ignored.
class ChunkParser
{
public:
    enum class State { Size, Data, DataEnd, Trailer, Done, Error };

    /// Consumes what it can from the front of `buffer`, appending each finished chunk to `pieces`.
    /// Bytes after the end of the body stay in `buffer` (they belong to the next response).
    void parse(std::string & buffer, std::vector<std::string> & pieces);
    bool done() const { return state_ == State::Done; }
    bool failed() const { return state_ == State::Error; }
    const std::string & error() const { return error_; }

private:
    State state_ = State::Size;
    size_t remaining_ = 0;
    std::string current_;
    std::string error_;
};

/// Frames `data` as one chunk ("<hex>\r\n<data>\r\n").
std::string chunk(const std::string & data);

}
