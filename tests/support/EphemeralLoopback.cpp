#include "support/EphemeralLoopback.h"

#include "support/LoopbackSocket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sluice::test
{

int bindEphemeralLoopback(int backlog, uint16_t & port, std::string & why)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1)
    {
        why = "socket() failed: " + errnoText();
        return -1;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == -1
        || (backlog > 0 && ::listen(fd, backlog) == -1)
        || ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == -1)
    {
        why = (backlog > 0 ? "cannot listen on 127.0.0.1:0: " : "cannot bind 127.0.0.1:0: ") + errnoText();
        ::close(fd);
        return -1;
    }
    port = ntohs(address.sin_port);
    return fd;
}

}
