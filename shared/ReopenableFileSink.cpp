#include "shared/ReopenableFileSink.h"

#include <spdlog/common.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sluice
{

namespace
{

/// -1 with errno set on failure.
int openForAppend(const std::string & path)
{
    int fd;
    do
        fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    while (fd == -1 && errno == EINTR);
    return fd;
}

std::string openError(const std::string & path, int err)
{
    return "cannot open log file \"" + path + "\": " + std::strerror(err);
}

}

ReopenableFileSink::ReopenableFileSink(std::string path) : path_(std::move(path))
{
    fd_ = openForAppend(path_);
    if (fd_ == -1)
        throw std::runtime_error(openError(path_, errno));
}

ReopenableFileSink::~ReopenableFileSink()
{
    if (fd_ != -1)
        ::close(fd_);
}

bool ReopenableFileSink::reopen(std::string * error)
{
    /// Opened outside the lock: a slow filesystem must not stall every thread that logs meanwhile.
    int fd = openForAppend(path_);
    if (fd == -1)
    {
        if (error)
            *error = openError(path_, errno);
        return false;
    }
    int old_fd;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        old_fd = fd_;
        fd_ = fd;
    }
    if (old_fd != -1)
        ::close(old_fd);
    return true;
}

void ReopenableFileSink::close()
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (fd_ != -1)
        ::close(fd_);
    fd_ = -1;
}

void ReopenableFileSink::sink_it_(const spdlog::details::log_msg & msg)
{
    if (fd_ == -1)
        return;
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    const char * data = line.data();
    size_t left = line.size();
    while (left > 0)
    {
        /// One write() for the whole line: O_APPEND places it atomically at the end of the file. A short write
        /// (disk full) is continued rather than lost.
        ssize_t n = ::write(fd_, data, left);
        if (n == -1)
        {
            if (errno == EINTR)
                continue;
            /// The logger's error handler reports this on stderr (rate-limited); a log line is never worth
            /// stopping the caller for.
            throw spdlog::spdlog_ex("write() to log file \"" + path_ + "\" failed", errno);
        }
        data += n;
        left -= static_cast<size_t>(n);
    }
}

}
