#include "bench/BenchSocket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <system_error>

namespace sluice::bench
{

namespace
{

[[noreturn]] void throwErrno(const std::string & what)
{
    throw std::system_error(errno, std::generic_category(), what + " failed");
}

}

int64_t monotonicNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

sockaddr_in parseHostPort(const std::string & text)
{
    auto colon = text.rfind(':');
    if (colon == std::string::npos)
        throw std::invalid_argument("'" + text + "' is not host:port");
    std::string host = text.substr(0, colon);
    if (host == "localhost")
        host = "127.0.0.1";
    std::string port_text = text.substr(colon + 1);
    char * end = nullptr;
    long port = std::strtol(port_text.c_str(), &end, 10);
    if (port_text.empty() || *end != '\0' || port < 0 || port > 65535)
        throw std::invalid_argument("'" + text + "': bad port");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1)
        throw std::invalid_argument("'" + text + "': host must be an IPv4 address");
    return address;
}

void setNonBlocking(int fd)
{
    int flags = ::fcntl(fd, F_GETFL);
    if (flags == -1)
        throwErrno("fcntl(F_GETFL)");
    if (::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
        throwErrno("fcntl(F_SETFL, O_NONBLOCK)");
}

int listenTcp(const sockaddr_in & address, int backlog)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1)
        throwErrno("socket()");
    int one = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
    {
        ::close(fd);
        throwErrno("setsockopt(SO_REUSEADDR)");
    }
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) == -1)
    {
        int saved = errno;
        ::close(fd);
        errno = saved;
        throwErrno("bind(port " + std::to_string(ntohs(address.sin_port)) + ")");
    }
    if (::listen(fd, backlog) == -1)
    {
        int saved = errno;
        ::close(fd);
        errno = saved;
        throwErrno("listen()");
    }
    return fd;
}

uint16_t localPort(int fd)
{
    sockaddr_in address{};
    socklen_t length = sizeof(address);
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == -1)
        throwErrno("getsockname()");
    return ntohs(address.sin_port);
}

uint64_t raiseFdLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == -1)
        throwErrno("getrlimit(RLIMIT_NOFILE)");
    if (limit.rlim_cur < limit.rlim_max)
    {
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) == -1)
            throwErrno("setrlimit(RLIMIT_NOFILE, " + std::to_string(limit.rlim_max) + ")");
    }
    return limit.rlim_cur;
}

void writeFileAtomically(const std::string & path, const std::string & text)
{
    std::string temporary = path + ".tmp";
    FILE * file = std::fopen(temporary.c_str(), "w");
    if (file == nullptr)
        throwErrno("fopen(" + temporary + ")");
    bool written = std::fputs(text.c_str(), file) >= 0;
    if (std::fclose(file) != 0 || !written)
        throwErrno("write(" + temporary + ")");
    if (std::rename(temporary.c_str(), path.c_str()) == -1)
        throwErrno("rename(" + temporary + ", " + path + ")");
}

}
