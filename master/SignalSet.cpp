#include "master/SignalSet.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace sluice::master
{

SignalSet::SignalSet(std::initializer_list<int> signals)
{
    sigemptyset(&mask_);
    for (int s : signals)
        sigaddset(&mask_, s);
    if (sigprocmask(SIG_BLOCK, &mask_, nullptr) == -1)
        throw std::system_error(errno, std::generic_category(), "sigprocmask() failed");
    fd_ = ::signalfd(-1, &mask_, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd_ == -1)
        throw std::system_error(errno, std::generic_category(), "signalfd() failed");
}

SignalSet::~SignalSet()
{
    if (fd_ != -1)
        ::close(fd_);
}

int SignalSet::next()
{
    signalfd_siginfo info;
    for (;;)
    {
        ssize_t n = ::read(fd_, &info, sizeof info);
        if (n == static_cast<ssize_t>(sizeof info))
            return static_cast<int>(info.ssi_signo);
        if (n == -1 && errno == EINTR)
            continue;
        return 0;
    }
}

void SignalSet::releaseInChild()
{
    ::close(fd_);
    fd_ = -1;
    sigprocmask(SIG_UNBLOCK, &mask_, nullptr);
}

const char * signalName(int signo)
{
    switch (signo)
    {
        case SIGHUP: return "HUP";
        case SIGINT: return "INT";
        case SIGQUIT: return "QUIT";
        case SIGTERM: return "TERM";
        case SIGUSR1: return "USR1";
        case SIGUSR2: return "USR2";
        case SIGCHLD: return "CHLD";
        case SIGKILL: return "KILL";
        case SIGSEGV: return "SEGV";
        case SIGABRT: return "ABRT";
        case SIGPIPE: return "PIPE";
        default: return "?";
    }
}

}
