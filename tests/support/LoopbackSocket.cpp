#include "support/LoopbackSocket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::test
{

namespace
{

sockaddr_in loopbackAddress(uint16_t port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

}

std::string errnoText()
{
    return std::strerror(errno);
}

int connectLoopback(uint16_t port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1)
        return -1;
    sockaddr_in address = loopbackAddress(port);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == -1)
    {
        int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    /// Requests are written in one send() each; no Nagle delay on the test side either.
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

bool sendAll(int fd, const std::string & bytes)
{
    size_t sent = 0;
    while (sent < bytes.size())
    {
        ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n == -1)
        {
            if (errno == EINTR)
                continue;
            return false;
        }
        sent += static_cast<size_t>(n);
    }
    return true;
}

bool portIsFree(uint16_t port, std::string & why)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1)
    {
        why = "socket() failed: " + errnoText();
        return false;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address = loopbackAddress(port);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != -1;
    if (!ok)
        why = "bind() failed: " + errnoText();
    else if (::listen(fd, 1) == -1)
    {
        ok = false;
        why = "listen() failed: " + errnoText();
    }
    ::close(fd);
    return ok;
}

}
