#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::worker
{

/// Follows the text/event-stream bytes a stream forwards, without keeping any of them: counts the events for the
/// summary line and knows whether the last byte ended an event, so a heartbeat never lands inside one.
/// Lines end with LF, CRLF or CR (a CRLF split across two reads counts once). An event ends at a blank line that
/// follows at least one field line; a block of comment lines (`: ...`) alone is not an event.
class SseEventCounter
{
public:
    void feed(const char * data, size_t len);

    uint64_t events() const { return events_; }

    /// True before any byte and right after a blank line: whatever is inserted now starts a block of its own.
    bool atEventBoundary() const { return at_line_start_ && !block_has_lines_; }

private:
    uint64_t events_ = 0;
    bool at_line_start_ = true;
    bool block_has_lines_ = false;  /// any line (field or comment) since the last blank line
    bool block_has_field_ = false;  /// a non-comment line since the last blank line
    bool after_cr_ = false;         /// the last byte was CR: an LF now completes the same line end
};

}
