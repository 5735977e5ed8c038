#include "support/ReceiveOnce.h"

#include "support/LoopbackSocket.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace sluice::test
{

Received receiveOnce(int fd, Clock::time_point deadline, std::string & into, bool & eof, std::string & end_reason,
                     Clock::time_point * recv_at)
{
    if (fd == -1 || eof)
        return Received::Nothing;
    auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
    if (left < 0)
        return Received::Nothing;
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready == -1 && errno == EINTR)
        return Received::Interrupted;
    if (ready <= 0)
        return Received::Nothing;
    char data[65536];
    ssize_t n = ::recv(fd, data, sizeof data, 0);
    if (recv_at != nullptr)
        *recv_at = Clock::now();
    if (n > 0)
        into.append(data, static_cast<size_t>(n));
    else if (n == 0 || errno != EINTR)
    {
        eof = true;
        end_reason = n == 0 ? "eof" : errnoText();
    }
    return Received::Recv;
}

}
