#include "worker/WorkerProcess.h"

#include "shared/Channel.h"
#include "shared/ExitCodes.h"
#include "shared/Logging.h"
#include "worker/Acceptor.h"
#include "worker/HttpConnectionFactory.h"
#include "worker/ReloadRelay.h"
#include "worker/RequestRouter.h"
#include "worker/StreamPump.h"
#include "worker/WorkerServices.h"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>

#include <poll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <thread>

namespace sluice::worker
{

namespace
{

using Clock = std::chrono::steady_clock;

constexpr int kThreadStackBytes = 256 * 1024; /// poco-notes §2: costs nothing in RSS, room for exceptions
constexpr int kMaxQueuedConnections = 1024;
constexpr int kDescriptorsReserved = 64;      /// listen socket, channel, logs, pool connections, epoll...

/// Streams are refused with a 503 before descriptors run out: two per stream (design.md §7).
size_t maxStreams(const SluiceSettings & settings)
{
    if (settings.max_streams_per_worker > 0)
        return static_cast<size_t>(settings.max_streams_per_worker);
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
        return 10000;
    long usable = static_cast<long>(rl.rlim_cur) - kDescriptorsReserved;
    return usable > 2 ? static_cast<size_t>(usable / 2) : 1;
}

PumpSettings pumpSettings(const GatewayConfig & gw)
{
    PumpSettings s;
    s.upstream_idle_timeout = std::chrono::seconds(gw.sluice.stream_idle_timeout_s);
    s.client_write_timeout = std::chrono::seconds(gw.http.write_timeout_s);
    s.heartbeat_interval = std::chrono::seconds(gw.sluice.heartbeat_interval_s);
    return s;
}

Poco::Net::HTTPServerParams::Ptr serverParams(const GatewayConfig & gw)
{
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(gw.sluice.max_threads);
    params->setMaxQueued(kMaxQueuedConnections);
    params->setThreadIdleTime(Poco::Timespan(30, 0));
    /// Go's ReadTimeout covers reading the request; Poco's timeout is the socket receive timeout for the same.
    params->setTimeout(Poco::Timespan(gw.http.read_timeout_s, 0));
    params->setKeepAlive(!gw.close_connections);
    params->setKeepAliveTimeout(Poco::Timespan(gw.sluice.keepalive_timeout_s, 0));
    params->setServerName("");
    return params;
}

enum class Wake
{
    Serve,      /// the master says: start accepting
    Drain,      /// the master asked (message.deadline_ms), or a stop signal came to this worker directly
    MasterGone, /// channel EOF: the master died
    Nothing,
};

/// ReopenLogs from the master, or SIGUSR1 sent to this worker directly (logrotate).
void reopenOwnLogs(const char * trigger)
{
    std::string error;
    if (reopenLogs(&error))
        workerLog()->info("logs reopened pid={} trigger={}", ::getpid(), trigger);
    else
        workerLog()->error("{}; still writing to the old file", error);
}

/// Waits up to `timeout_ms` for the master's next word or a stop signal, handling reload answers and log reopening
/// on the way.
Wake waitForMaster(int channel_fd, int signal_fd, int timeout_ms, ReloadRelay & reload, ChannelMessage & message)
{
    pollfd fds[2] = {{channel_fd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (::poll(fds, 2, timeout_ms) <= 0)
        return Wake::Nothing;
    if (fds[1].revents & POLLIN)
    {
        signalfd_siginfo info;
        if (::read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info))
        {
            if (info.ssi_signo == SIGUSR1)
                reopenOwnLogs("signal=USR1");
            if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT || info.ssi_signo == SIGQUIT)
            {
                message.command = ChannelCommand::Drain;
                message.deadline_ms = -1; /// the configured drain_timeout
                return Wake::Drain;
            }
        }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
    {
        switch (receiveChannelMessage(channel_fd, message))
        {
            case ReceiveStatus::Message:
                if (message.command == ChannelCommand::Drain)
                    return Wake::Drain;
                if (message.command == ChannelCommand::Serve)
                    return Wake::Serve;
                if (message.command == ChannelCommand::ReloadDone)
                    reload.complete(message);
                if (message.command == ChannelCommand::ReopenLogs)
                    reopenOwnLogs("master");
                return Wake::Nothing;
            case ReceiveStatus::Eof:
            case ReceiveStatus::Error:
                return Wake::MasterGone;
            case ReceiveStatus::WouldBlock:
                return Wake::Nothing;
        }
    }
    return Wake::Nothing;
}

std::chrono::milliseconds drainBudget(const ChannelMessage & drain, const GatewayConfig & gw)
{
    if (drain.deadline_ms >= 0)
        return std::chrono::milliseconds(drain.deadline_ms);
    return std::chrono::milliseconds(static_cast<int64_t>(gw.sluice.drain_timeout_s) * 1000);
}

}

[[noreturn]] void runWorker(WorkerLaunch launch)
{
    const GatewayConfig & gw = launch.plan->gateway;
    /// Loggers are never carried across fork (poco-notes §5); each worker opens its own log files, those of its
    /// generation's plan. A file that cannot be opened throws: the caller reports it on stderr and the worker
    /// exits with the fatal status (a new generation's reload then fails; the old one keeps serving).
    dropLogs();
    setupLogging(gw.log_level, LogFiles{gw.sluice.log_file, gw.sluice.access_log_file});
    auto log = workerLog();

    /// Block the stop signals before any thread exists so every Poco thread inherits the mask; this thread reads
    /// them from a signalfd. A worker signalled directly drains as if its master had asked.
    sigset_t mask;
    sigemptyset(&mask);
    for (int s : {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2})
        sigaddset(&mask, s);
    pthread_sigmask(SIG_BLOCK, &mask, nullptr);
    int signal_fd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signal_fd == -1)
    {
        log->error("signalfd() failed: {}", std::strerror(errno));
        flushLogs();
        ::_exit(exit_code::kWorkerFatal);
    }

    StreamPump pump(pumpSettings(gw), streamLog());
    pump.start();
    ReloadRelay reload(launch.channel_fd);
    WorkerServices services(launch.plan, pump, reload, maxStreams(gw.sluice));
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory(new RequestRouter(services));
    Poco::Net::HTTPServerParams::Ptr params = serverParams(gw);
    Poco::ThreadPool pool(2, gw.sluice.max_threads, 30, kThreadStackBytes);
    std::atomic<uint64_t> finished_connections{0};
    auto * connections = new HttpConnectionFactory(params, factory, finished_connections);
    auto * dispatcher = new Poco::Net::TCPServerDispatcher(connections, pool, params);
    connections->watchQueueOf(dispatcher);
    Acceptor acceptor(launch.listen.impl()->sockfd(), *dispatcher, kMaxQueuedConnections);

    ChannelMessage ready;
    ready.command = ChannelCommand::Ready;
    ready.generation = launch.generation;
    ready.slot = launch.slot;
    ready.pid = ::getpid();
    if (!sendChannelMessage(launch.channel_fd, ready))
    {
        log->error("cannot report Ready to the master: {}", std::strerror(errno));
        flushLogs();
        ::_exit(exit_code::kWorkerFatal);
    }

    /// Connections handed over by the acceptor and not yet finished or refused: queued, being set up, or in a
    /// request. Exact once the acceptor has stopped (draining); a snapshot while serving (stats).
    auto connections_left = [&] {
        uint64_t done = finished_connections.load() + static_cast<uint64_t>(dispatcher->refusedConnections());
        uint64_t accepted = acceptor.accepted();
        return accepted > done ? accepted - done : 0;
    };

    ChannelMessage message;
    Wake wake;
    auto next_stats = Clock::now() + std::chrono::seconds(gw.sluice.stats_interval_s);
    bool serving = false;
    while ((wake = waitForMaster(launch.channel_fd, signal_fd, 1000, reload, message)) == Wake::Nothing
           || wake == Wake::Serve)
    {
        /// Accept only once the master says the whole generation is ready: a generation that never gets there (a
        /// sibling died, the ready timeout) must not have taken connections it will not serve.
        if (wake == Wake::Serve && !serving)
        {
            serving = true;
            acceptor.start();
            log->info("worker serving pid={} generation={} slot={} max_streams={} threads={}", ::getpid(),
                      launch.generation, launch.slot, services.max_streams, gw.sluice.max_threads);
        }
        if (serving && gw.sluice.stats_interval_s > 0 && Clock::now() >= next_stats)
        {
            next_stats += std::chrono::seconds(gw.sluice.stats_interval_s);
            log->info("stats pid={} generation={} connections={} streams={} requests_total={} streams_total={} "
                      "upstream_errors_total={}",
                      ::getpid(), launch.generation, connections_left(), pump.activeStreams(),
                      services.requests_total.load(), services.streams_total.load(),
                      services.upstream_errors_total.load());
        }
    }

    auto drain_started = Clock::now();
    auto deadline = drain_started + drainBudget(message, gw);
    if (wake == Wake::MasterGone)
    {
        /// No master means nobody will restart us or hand the port on: leave at once so no orphan holds it.
        log->warn("master is gone: closing {} streams and exiting", pump.activeStreams());
        deadline = drain_started;
    }

    /// Drain (poco-notes §1): stop accepting without shutdown() on the shared socket, close our fd only,
    /// answer keep-alive requests with Connection: close, let requests and streams finish until the deadline.
    /// Keep-alive is turned off per response (RequestRouter), not in the shared HTTPServerParams: flipping those
    /// while requests are in flight closes connections whose response still said Keep-Alive.
    services.draining = true;
    acceptor.stop();
    launch.listen.close();
    /// From now on every new connection goes to the next generation; the master waits for this before it tells a
    /// blocking /tyk/reload caller that the reload is done.
    ChannelMessage started;
    started.command = ChannelCommand::DrainStarted;
    started.generation = launch.generation;
    started.pid = ::getpid();
    if (wake != Wake::MasterGone)
        sendChannelMessage(launch.channel_fd, started);
    log->info("worker draining pid={} generation={} connections={} streams={} deadline_ms={}", ::getpid(),
              launch.generation, connections_left(), pump.activeStreams(),
              std::chrono::duration_cast<std::chrono::milliseconds>(deadline - drain_started).count());

    while (Clock::now() < deadline)
    {
        if (connections_left() == 0 && pump.activeStreams() == 0)
            break;
        Wake again = waitForMaster(launch.channel_fd, signal_fd, 50, reload, message);
        if (again == Wake::MasterGone)
        {
            wake = again;
            break;
        }
        /// A later Drain can only shorten the deadline: the master closes the oldest generations at once when
        /// too many are draining.
        if (again == Wake::Drain)
            deadline = std::min(deadline, Clock::now() + drainBudget(message, gw));
    }

    size_t left = pump.activeStreams();
    pump.closeAll(wake == Wake::MasterGone ? "master_gone" : "drain_deadline");
    /// A lost master leaves ~2 s before its port must be free (the tests hold us to it).
    pump.waitIdle(std::chrono::milliseconds(wake == Wake::MasterGone ? 500 : 1500));
    connections->stopConnections(true);
    log->info("worker drained pid={} generation={} streams_closed_at_deadline={} elapsed_ms={}", ::getpid(),
              launch.generation, left,
              std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - drain_started).count());
    flushLogs();
    /// Leave without destructors: request threads may still sit in an upstream call and ~ThreadPool would wait
    /// for them. The kernel closes every socket on _exit().
    ::_exit(exit_code::kOk);
}

}
