#include "support/UnusedPort.h"

#include "support/EphemeralLoopback.h"

#include <unistd.h>

#include <stdexcept>
#include <string>

namespace sluice::test
{

namespace
{

/// The port number of a socket bound to 127.0.0.1:0 and closed again; 0 with `why` set when binding failed.
uint16_t probePort(std::string & why)
{
    uint16_t port = 0;
    int fd = bindEphemeralLoopback(0, port, why);
    if (fd == -1)
        return 0;
    ::close(fd);
    return port;
}

}

uint16_t unusedLoopbackPort()
{
    std::string why;
    return probePort(why);
}

uint16_t freeLoopbackPort()
{
    std::string why;
    uint16_t port = probePort(why);
    if (port == 0)
        throw std::runtime_error(why);
    return port;
}

}
