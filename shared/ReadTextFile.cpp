#include "shared/ReadTextFile.h"

#include "shared/Config.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace sluice
{

namespace
{

[[noreturn]] void failRead(const std::string & path, int error)
{
    throw ConfigError(path, "", "cannot read file: " + std::error_code(error, std::generic_category()).message());
}

}

std::string readTextFile(const std::string & path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        failRead(path, errno);
    std::string text;
    char buffer[16384];
    for (;;)
    {
        ssize_t n = ::read(fd, buffer, sizeof(buffer));
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
        {
            int error = errno;
            ::close(fd);
            failRead(path, error);
        }
        if (n == 0)
            break;
        text.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return text;
}

}
