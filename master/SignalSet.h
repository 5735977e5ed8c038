#pragma once

#include <csignal>
#include <initializer_list>

/// The master's signals, read synchronously from a signalfd so that the one flat loop sees them as events
/// (nginx's "handlers only record" rule, without any handler at all).
namespace sluice::master
{

class SignalSet
{
public:
    /// Blocks `signals` in the calling thread and opens a non-blocking, close-on-exec signalfd for them.
    explicit SignalSet(std::initializer_list<int> signals);
    ~SignalSet();
    SignalSet(const SignalSet &) = delete;
    SignalSet & operator=(const SignalSet &) = delete;

    int fd() const { return fd_; }

    /// Next pending signal number, or 0 when none is pending.
    int next();

    /// In a freshly forked child: close the fd and unblock what the master blocked, so the child starts from
    /// the default mask.
    void releaseInChild();

private:
    sigset_t mask_;
    int fd_ = -1;
};

const char * signalName(int signo);

}
