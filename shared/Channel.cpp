#include "shared/Channel.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace sluice
{

void ChannelMessage::setText(const std::string & s)
{
    size_t n = std::min(s.size(), sizeof(text) - 1);
    std::memcpy(text, s.data(), n);
    text[n] = '\0';
}

std::string ChannelMessage::textString() const
{
    return std::string(text, strnlen(text, sizeof(text)));
}

ChannelPair openChannelPair()
{
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == -1)
        throw std::system_error(errno, std::generic_category(), "socketpair() failed");
    return ChannelPair{fds[0], fds[1]};
}

bool sendChannelMessage(int fd, const ChannelMessage & message)
{
    for (;;)
    {
        ssize_t n = ::send(fd, &message, sizeof(message), MSG_NOSIGNAL);
        if (n == static_cast<ssize_t>(sizeof(message)))
            return true;
        if (n == -1 && errno == EINTR)
            continue;
        return false;
    }
}

ReceiveStatus receiveChannelMessage(int fd, ChannelMessage & message)
{
    for (;;)
    {
        ssize_t n = ::recv(fd, &message, sizeof(message), 0);
        if (n == static_cast<ssize_t>(sizeof(message)))
            return ReceiveStatus::Message;
        if (n == 0)
            return ReceiveStatus::Eof;
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return ReceiveStatus::WouldBlock;
        if (n == -1 && errno == ECONNRESET)
            return ReceiveStatus::Eof;
        if (n >= 0)
            errno = EPROTO; /// a short message can only come from a foreign peer
        return ReceiveStatus::Error;
    }
}

}
