#include "worker/ChunkedDecoder.h"

#include <algorithm>
#include <cstring>

namespace sluice::worker
{
namespace
{

/// 15 hex digits = 2^60 bytes: anything longer is an attack or garbage, and must not overflow the counter.
constexpr uint8_t kMaxSizeDigits = 15;

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}

size_t ChunkedDecoder::decode(const char * in, size_t len, char * out)
{
    size_t written = 0;
    size_t i = 0;
    while (i < len && state_ != State::Done && state_ != State::Error)
    {
        if (state_ != State::Data)
        {
            step(in[i++]);
            continue;
        }
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, len - i));
        if (out + written != in + i)
            std::memmove(out + written, in + i, take);
        written += take;
        i += take;
        remaining_ -= take;
        if (remaining_ == 0)
            state_ = State::DataCr;
    }
    return written;
}

void ChunkedDecoder::endSizeLine()
{
    if (remaining_ == 0)
        state_ = State::TrailerStart;
    else
        state_ = State::Data;
}

void ChunkedDecoder::step(char c)
{
    switch (state_)
    {
        case State::SizeStart:
        case State::Size:
        {
            int v = hexValue(c);
            if (v >= 0)
            {
                if (++size_digits_ > kMaxSizeDigits)
                {
                    state_ = State::Error;
                    return;
                }
                remaining_ = remaining_ * 16 + static_cast<uint64_t>(v);
                state_ = State::Size;
                return;
            }
            if (state_ == State::SizeStart)
            {
                state_ = State::Error;
                return;
            }
            size_digits_ = 0;
            if (c == '\r')
                state_ = State::SizeLf;
            else if (c == '\n')
                endSizeLine();
            else if (c == ';')
                state_ = State::Extension;
            else if (c == ' ' || c == '\t')
                state_ = State::SizeSpace;
            else
                state_ = State::Error;
            return;
        }
        case State::SizeSpace:
            if (c == '\r')
                state_ = State::SizeLf;
            else if (c == '\n')
                endSizeLine();
            else if (c == ';')
                state_ = State::Extension;
            else if (c != ' ' && c != '\t')
                state_ = State::Error;
            return;
        case State::Extension:
            if (c == '\n')
                endSizeLine();
            return;
        case State::SizeLf:
            if (c == '\n')
                endSizeLine();
            else
                state_ = State::Error;
            return;
        case State::DataCr:
            if (c == '\r')
                state_ = State::DataLf;
            else if (c == '\n')
                state_ = State::SizeStart;
            else
                state_ = State::Error;
            return;
        case State::DataLf:
            state_ = c == '\n' ? State::SizeStart : State::Error;
            return;
        case State::TrailerStart:
            if (c == '\n')
                state_ = State::Done;
            else if (c == '\r')
                state_ = State::TrailerLf;
            else
                state_ = State::Trailer;
            return;
        case State::Trailer:
            if (c == '\n')
                state_ = State::TrailerStart;
            return;
        case State::TrailerLf:
            state_ = c == '\n' ? State::Done : State::Error;
            return;
        case State::Data:
        case State::Done:
        case State::Error:
            return;
    }
}

}
