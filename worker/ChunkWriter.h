#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::worker
{

/// Writes HTTP/1.1 chunk frames (`hex\r\n<bytes>\r\n`) for the client side of a stream.
class ChunkWriter
{
public:
    /// Room `frameInPlace` needs before the payload: 16 hex digits + CRLF.
    static constexpr size_t kHeadroom = 18;
    /// Room `frameInPlace` needs after the payload: CRLF.
    static constexpr size_t kTailroom = 2;
    /// The end of a chunked body (no trailers).
    static constexpr std::string_view kTerminal = "0\r\n\r\n";

    /// Frames `len` (> 0) bytes at `payload` without copying them: writes the size line into the kHeadroom bytes
    /// before and CRLF into the kTailroom bytes after. Returns the frame's start and length, for a single send().
    static std::pair<const char *, size_t> frameInPlace(char * payload, size_t len);

    /// A whole frame for small fixed bodies (heartbeat, error event).
    static std::string frame(std::string_view payload);
};

}
