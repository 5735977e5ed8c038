#include "worker/FixedBodyRelay.h"

#include <poll.h>

#include <algorithm>

namespace sluice::worker
{

RelayResult relayFixedBody(std::istream & in, int upstream_fd, std::ostream & out, int64_t length,
                           std::chrono::milliseconds flush_interval)
{
    using Clock = std::chrono::steady_clock;
    RelayResult result;
    char buf[16384];
    bool unflushed = false;
    Clock::time_point flush_due{};

    while (result.bytes < length)
    {
        /// With bytes waiting for their flush and nothing buffered on our side, wait for the upstream only until
        /// the flush is due, so a slow body still reaches the client within flush_interval.
        if (unflushed && flush_interval.count() > 0 && in.rdbuf()->in_avail() <= 0)
        {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(flush_due - Clock::now()).count();
            pollfd p{upstream_fd, POLLIN, 0};
            if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0)
            {
                out.flush();
                unflushed = false;
                if (!out)
                {
                    result.client_gone = true;
                    return result;
                }
            }
        }
        if (in.peek() == std::char_traits<char>::eof()) /// blocks for one recv (bounded by the socket timeout)
            break;
        auto want = static_cast<std::streamsize>(std::min<int64_t>(sizeof buf, length - result.bytes));
        std::streamsize n = in.readsome(buf, want);
        if (n <= 0)
            break;
        out.write(buf, n);
        result.bytes += n;
        if (!out)
        {
            result.client_gone = true;
            return result;
        }
        if (!unflushed)
        {
            unflushed = true;
            flush_due = Clock::now() + flush_interval;
        }
    }
    out.flush();
    if (!out)
        result.client_gone = true;
    result.complete = result.bytes == length;
    return result;
}

}
