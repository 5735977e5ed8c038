#include "worker/ChunkWriter.h"

namespace sluice::worker
{
namespace
{

constexpr char kHexDigits[] = "0123456789abcdef";

/// Writes "hex\r\n" so that it ends at `end`; returns where it starts.
char * writeSizeLineBefore(char * end, size_t len)
{
    char * p = end;
    *--p = '\n';
    *--p = '\r';
    do
    {
        *--p = kHexDigits[len & 0xf];
        len >>= 4;
    } while (len != 0);
    return p;
}

}

std::pair<const char *, size_t> ChunkWriter::frameInPlace(char * payload, size_t len)
{
    char * start = writeSizeLineBefore(payload, len);
    payload[len] = '\r';
    payload[len + 1] = '\n';
    return {start, static_cast<size_t>(payload + len + kTailroom - start)};
}

std::string ChunkWriter::frame(std::string_view payload)
{
    char size_line[kHeadroom];
    char * start = writeSizeLineBefore(size_line + kHeadroom, payload.size());
    std::string out(start, size_line + kHeadroom);
    out.append(payload);
    out.append("\r\n");
    return out;
}

}
