#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::worker
{

/// Incremental decoder of an HTTP/1.1 chunked body (`hex[;ext]\r\n data \r\n ... 0\r\n [trailers] \r\n`).
/// Bytes arrive in arbitrary pieces (one upstream read each); the decoder keeps only a few bytes of state, so an
/// idle stream costs nothing. Bare LF is accepted wherever CRLF is expected, as most HTTP parsers do.
class ChunkedDecoder
{
public:
    /// Decodes `len` bytes from `in` and writes the payload bytes they carry to `out`; returns how many were
    /// written. `out` may alias `in` (the pump decodes in place in its shared read buffer): payload never moves
    /// forward, so memmove keeps it correct. Bytes after the end of the body are ignored; after a framing error
    /// nothing more is decoded.
    size_t decode(const char * in, size_t len, char * out);

    /// The terminal chunk and the trailer section (possibly empty) have been read: the body is complete.
    bool done() const { return state_ == State::Done; }

    /// The framing was malformed (bad size, missing CRLF after data): the body cannot be trusted.
    bool failed() const { return state_ == State::Error; }

    /// Payload bytes still owed by the current chunk (0 between chunks).
    uint64_t chunkRemaining() const { return remaining_; }

private:
    enum class State : uint8_t
    {
        SizeStart,   /// first character of a chunk-size line: must be a hex digit
        Size,        /// more hex digits, or what ends the size
        SizeSpace,   /// whitespace after the size: only `;` or the line end may follow
        Extension,   /// `;ext` up to the end of the line
        SizeLf,      /// CR seen at the end of the size line
        Data,        /// `remaining_` payload bytes follow
        DataCr,      /// payload done: CRLF (or LF) must follow
        DataLf,      /// CR after the payload seen
        TrailerStart,/// start of a trailer line, or the empty line that ends the body
        Trailer,     /// inside a trailer field line
        TrailerLf,   /// CR of the final empty line seen
        Done,
        Error,
    };

    /// Feeds one framing (non-payload) character.
    void step(char c);
    void endSizeLine();

    State state_ = State::SizeStart;
    uint64_t remaining_ = 0;
    uint8_t size_digits_ = 0;
};

}
