#include "bench/ChunkedSseParser.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace sluice::bench
{

namespace
{

/// A chunk-size line is a few hex digits plus optional extensions; anything longer is garbage.
constexpr size_t kMaxFrameLine = 1024;
/// An event line longer than this is not from our emitter; keep only its start (the numbers).
constexpr size_t kMaxEventLine = 64 * 1024;

}

ChunkedSseParser::ChunkedSseParser(bool chunked) : chunked_(chunked)
{
}

bool ChunkedSseParser::feed(const char * data, size_t size, std::vector<SseSample> & out)
{
    if (state_ == State::Failed)
        return false;
    if (!chunked_)
    {
        feedEventBytes(data, size, out);
        return true;
    }
    while (size > 0 && state_ != State::Failed)
    {
        size_t used = feedChunked(data, size, out);
        data += used;
        size -= used;
    }
    return state_ != State::Failed;
}

size_t ChunkedSseParser::feedChunked(const char * data, size_t size, std::vector<SseSample> & out)
{
    switch (state_)
    {
        case State::Data:
        {
            size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, size));
            feedEventBytes(data, take, out);
            remaining_ -= take;
            if (remaining_ == 0)
                state_ = State::DataEnd;
            return take;
        }
        case State::DataEnd:
            /// Exactly CRLF ends a chunk; `frame_line_` holds the '\r' once seen.
            if (frame_line_.empty() && data[0] == '\r')
                frame_line_ = "\r";
            else if (data[0] == '\n')
            {
                frame_line_.clear();
                state_ = State::Size;
            }
            else
                fail("chunk data not followed by CRLF");
            return 1;
        case State::Size:
        case State::Trailer:
        {
            const char * newline = static_cast<const char *>(std::memchr(data, '\n', size));
            size_t take = newline ? static_cast<size_t>(newline - data) + 1 : size;
            frame_line_.append(data, newline ? take - 1 : take);
            if (frame_line_.size() > kMaxFrameLine)
                fail("chunk-size or trailer line too long");
            else if (newline)
                endSizeLine();
            return take;
        }
        case State::Done:
            fail("bytes after the terminal chunk");
            return size;
        case State::Failed:
            return size;
    }
    return size;
}

bool ChunkedSseParser::endSizeLine()
{
    std::string line;
    line.swap(frame_line_);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    if (state_ == State::Trailer)
    {
        if (line.empty())
            state_ = State::Done;
        return true;
    }
    std::string digits = line.substr(0, line.find(';'));
    while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t'))
        digits.pop_back();
    char * end = nullptr;
    uint64_t chunk_size = std::strtoull(digits.c_str(), &end, 16);
    if (digits.empty() || digits.size() > 15 || *end != '\0')
        return fail("bad chunk-size line '" + line + "'");
    remaining_ = chunk_size;
    state_ = chunk_size == 0 ? State::Trailer : State::Data;
    return true;
}

void ChunkedSseParser::feedEventBytes(const char * data, size_t size, std::vector<SseSample> & out)
{
    while (size > 0)
    {
        const char * newline = static_cast<const char *>(std::memchr(data, '\n', size));
        size_t take = newline ? static_cast<size_t>(newline - data) : size;
        size_t room = kMaxEventLine - std::min(kMaxEventLine, event_line_.size());
        event_line_.append(data, std::min(take, room));
        if (!newline)
            return;
        endEventLine(out);
        data += take + 1;
        size -= take + 1;
    }
}

void ChunkedSseParser::endEventLine(std::vector<SseSample> & out)
{
    if (!event_line_.empty() && event_line_.back() == '\r')
        event_line_.pop_back();
    if (event_line_.empty())
    {
        /// A blank line dispatches the event; comment-only blocks (": ping") have no data and are no event.
        if (event_has_data_)
            out.push_back(event_);
        event_has_data_ = false;
        event_ = SseSample{};
        return;
    }
    if (event_line_.compare(0, 5, "data:") == 0 && !event_has_data_)
    {
        event_has_data_ = true;
        const char * text = event_line_.c_str() + 5;
        char * end = nullptr;
        long long sent_ns = std::strtoll(text, &end, 10);
        bool ok = end != text && *end == ' ';
        const char * seq_text = end;
        unsigned long long seq = ok ? std::strtoull(seq_text, &end, 10) : 0;
        ok = ok && end != seq_text && (*end == ' ' || *end == '\0');
        if (ok)
            event_ = SseSample{static_cast<int64_t>(sent_ns), static_cast<uint64_t>(seq)};
    }
    event_line_.clear();
}

bool ChunkedSseParser::fail(const std::string & reason)
{
    state_ = State::Failed;
    error_ = reason;
    return false;
}

}
