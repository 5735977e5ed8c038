#include "master/Master.h"

#include "master/ListenSocket.h"
#include "master/SdNotify.h"
#include "shared/Channel.h"
#include "shared/ExitCodes.h"
#include "shared/Logging.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace sluice::master
{

namespace
{

constexpr auto kRespawnBase = std::chrono::milliseconds(100);
constexpr auto kRespawnMax = std::chrono::seconds(30);
/// A worker that lived this long is healthy; its slot's backoff starts over.
constexpr auto kHealthyUptime = std::chrono::seconds(10);
/// Grace the master adds to a drain deadline before SIGKILL (a worker's own closing takes up to ~1.5 s).
constexpr auto kKillGrace = std::chrono::seconds(5);

long long msSince(Clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

/// Sends ReopenLogs to every worker with an open channel; returns how many were told.
size_t tellWorkersToReopenLogs(const WorkerSet & workers)
{
    ChannelMessage reopen;
    reopen.command = ChannelCommand::ReopenLogs;
    size_t told = 0;
    for (const WorkerRecord & w : workers.records())
    {
        if (w.channel_fd == -1)
            continue;
        if (!sendChannelMessage(w.channel_fd, reopen))
            ::kill(w.pid, SIGUSR1); /// the signal carries the same request: a worker reopens on USR1 too
        ++told;
    }
    return told;
}

}

Master::Master(MasterOptions options, PlanPtr plan)
    : options_(std::move(options))
    , plan_(std::move(plan))
    , log_(masterLog())
    , signals_({SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD})
    , workers_([this] {
        signals_.releaseInChild();
        closeOtherListenSockets();
    })
{
}

Master::~Master() = default;

int Master::run()
{
    listen_ = openListenSocket(plan_->gateway);
    listen_address_ = boundAddress(listen_);
    log_->info("master started version={} conf={} workers={} listen={}", SLUICE_VERSION, options_.conf_path,
               plan_->gateway.sluice.worker_processes, listen_address_);
    beginSwitch(plan_, std::nullopt, {});

    std::vector<pollfd> fds;
    while (!(stopping_ && workers_.size() == 0) && exit_code_ == 0)
    {
        fds.clear();
        fds.push_back({signals_.fd(), POLLIN, 0});
        for (const WorkerRecord & w : workers_.records())
            if (w.channel_fd != -1)
                fds.push_back({w.channel_fd, POLLIN, 0});
        int n = ::poll(fds.data(), fds.size(), pollTimeoutMs());
        if (n == -1 && errno != EINTR)
        {
            log_->error("poll() failed: {}", std::strerror(errno));
            exit_code_ = exit_code::kStartup;
            break;
        }
        if (n > 0)
        {
            if (fds[0].revents & POLLIN)
                for (int signo = signals_.next(); signo != 0; signo = signals_.next())
                    onSignal(signo);
            for (size_t i = 1; i < fds.size(); ++i)
                if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
                    onChannelReadable(fds[i].fd);
        }
        runTimers();
        bool serving = std::any_of(workers_.records().begin(), workers_.records().end(),
                                   [](const WorkerRecord & w) { return w.state != WorkerRecord::State::Draining; });
        if (!stopping_ && !serving && !switch_ && respawns_.empty())
        {
            log_->error("no worker left to serve and none can be restarted; exiting");
            exit_code_ = exit_code::kStartup;
        }
    }
    for (const WorkerRecord & w : workers_.records())
        ::kill(w.pid, SIGKILL); /// only on a fatal exit: never leave an orphan holding the port
    if (!options_.port_file.empty())
        ::unlink(options_.port_file.c_str());
    log_->info("master exiting status={}", exit_code_);
    flushLogs();
    return exit_code_;
}

void Master::spawnWorker(const PlanPtr & plan, Poco::Net::ServerSocket & listen, unsigned generation, int slot)
{
    spawning_listen_fd_ = listen.impl()->sockfd();
    try
    {
        const WorkerRecord & w = workers_.spawn(plan, listen, generation, slot);
        log_->info("worker started pid={} generation={} slot={}", w.pid, w.generation, w.slot);
    }
    catch (const std::exception & e)
    {
        /// fork() or socketpair() failed (limits): retry later rather than give up the slot.
        log_->error("cannot start worker generation={} slot={}: {}", generation, slot, e.what());
        if (generation == serving_generation_)
            respawns_[slot] = Respawn{generation, Clock::now() + kRespawnMax / 10};
        else if (switch_ && switch_->generation == generation)
            failSwitch(std::string("cannot start a worker: ") + e.what());
    }
}

void Master::closeOtherListenSockets()
{
    /// In the child, right after fork(). A worker inheriting the other socket of a listen_port change would keep
    /// that port open, accepting connections into a backlog nobody serves, after the master let go of it. The
    /// master's ServerSocket objects are never used or destroyed in the child (it leaves with _exit()).
    int current = listen_.impl()->sockfd();
    if (current != spawning_listen_fd_)
        ::close(current);
    if (switch_ && switch_->new_listen && switch_->new_listen->impl()->sockfd() != spawning_listen_fd_)
        ::close(switch_->new_listen->impl()->sockfd());
}

void Master::onSignal(int signo)
{
    switch (signo)
    {
        case SIGCHLD:
            reapChildren();
            break;
        case SIGTERM:
        case SIGINT:
        case SIGQUIT:
            beginStop(signo);
            break;
        case SIGHUP:
            requestReload("signal=HUP", {});
            break;
        case SIGUSR1:
        {
            /// logrotate moved the files: the master's own first, then every worker's (each opened its own).
            std::string error;
            if (!reopenLogs(&error))
                log_->error("{}; still writing to the old file", error);
            size_t told = tellWorkersToReopenLogs(workers_);
            log_->info("logs reopened signal=USR1 workers={}", told);
            break;
        }
        default:
            log_->info("signal {} ignored", signalName(signo));
    }
}

void Master::onChannelReadable(int fd)
{
    WorkerRecord * w = workers_.findByChannel(fd);
    if (!w)
        return;
    ChannelMessage m;
    ReceiveStatus status;
    while ((status = receiveChannelMessage(fd, m)) == ReceiveStatus::Message)
    {
        if (m.command == ChannelCommand::Ready && w->state == WorkerRecord::State::Starting)
        {
            w->state = WorkerRecord::State::Serving;
            log_->info("worker ready pid={} generation={} slot={}", w->pid, w->generation, w->slot);
            /// A respawned worker joins its serving generation at once; a new generation waits for the switch.
            if (w->generation == serving_generation_)
                sendServe(*w);
        }
        else if (m.command == ChannelCommand::DrainStarted)
            w->accepting_stopped = true;
        else if (m.command == ChannelCommand::ReloadRequest)
        {
            std::vector<ReloadWaiter> waiters;
            if (m.ok)
                waiters.push_back(ReloadWaiter{w->pid, m.request_id});
            requestReload("api=/tyk/reload worker_pid=" + std::to_string(w->pid), std::move(waiters));
            w = workers_.findByChannel(fd); /// requestReload may have forked: records moved
            if (!w)
                return;
        }
    }
    if (status == ReceiveStatus::Eof || status == ReceiveStatus::Error)
    {
        /// The worker is exiting; SIGCHLD will tell how. Stop polling its end meanwhile.
        ::close(w->channel_fd);
        w->channel_fd = -1;
    }
    checkSwitchReady();
    answerDeferred(false);
}

void Master::reapChildren()
{
    for (;;)
    {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            return;
        WorkerRecord * w = workers_.findByPid(pid);
        if (!w)
            continue;
        WorkerRecord copy = *w;
        workers_.remove(pid);
        onWorkerExit(copy, status);
        answerDeferred(false);
    }
}

void Master::onWorkerExit(const WorkerRecord & w, int status)
{
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == exit_code::kOk;
    bool expected = stopping_ || w.state == WorkerRecord::State::Draining;
    auto level = expected && clean ? spdlog::level::info : spdlog::level::warn;
    log_->log(level, "worker exited pid={} generation={} slot={} status={} uptime_ms={}", w.pid, w.generation, w.slot,
              describeWaitStatus(status), msSince(w.started));
    if (expected)
        return;
    if (switch_ && w.generation == switch_->generation)
    {
        failSwitch("worker pid=" + std::to_string(w.pid) + " slot=" + std::to_string(w.slot)
                   + " exited before it was ready, status=" + describeWaitStatus(status));
        return;
    }
    if (w.generation != serving_generation_)
        return;
    if (WIFEXITED(status) && WEXITSTATUS(status) == exit_code::kWorkerFatal)
    {
        log_->error("worker slot={} exited with the fatal status; not restarting it", w.slot);
        return;
    }
    scheduleRespawn(w);
}

void Master::scheduleRespawn(const WorkerRecord & w)
{
    unsigned & failures = slot_failures_[w.slot];
    if (Clock::now() - w.started >= kHealthyUptime)
        failures = 0;
    auto delay = std::min<Clock::duration>(kRespawnBase * (1u << std::min(failures, 8u)), kRespawnMax);
    ++failures;
    respawns_[w.slot] = Respawn{w.generation, Clock::now() + delay};
    log_->warn("worker respawn scheduled generation={} slot={} delay_ms={}", w.generation, w.slot,
               std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
}

void Master::sendDrain(WorkerRecord & w, std::chrono::milliseconds budget)
{
    w.state = WorkerRecord::State::Draining;
    w.kill_at = std::min(w.kill_at, Clock::now() + budget + kKillGrace);
    ChannelMessage drain;
    drain.command = ChannelCommand::Drain;
    drain.deadline_ms = budget.count();
    if (w.channel_fd == -1 || !sendChannelMessage(w.channel_fd, drain))
        ::kill(w.pid, SIGTERM); /// its channel is gone: the signal carries the same request
}

void Master::sendServe(WorkerRecord & w)
{
    ChannelMessage serve;
    serve.command = ChannelCommand::Serve;
    if (w.channel_fd != -1 && !sendChannelMessage(w.channel_fd, serve))
        log_->error("cannot tell worker pid={} to serve: {}", w.pid, std::strerror(errno));
}

void Master::beginStop(int signo)
{
    if (stopping_)
    {
        /// A second stop signal: the operator does not want to wait for the drain.
        log_->warn("stop requested again signal={}: closing every stream now", signalName(signo));
        for (WorkerRecord & w : workers_.records())
        {
            w.hurried = true;
            sendDrain(w, std::chrono::milliseconds(0));
        }
        return;
    }
    stopping_ = true;
    respawns_.clear();
    answerDeferred(true);
    if (switch_)
        failSwitch("the gateway is stopping");
    reload_pending_ = false;
    answerWaiters(pending_waiters_, false, "the gateway is stopping");
    pending_waiters_.clear();
    int drain_s = plan_->gateway.sluice.drain_timeout_s;
    log_->info("stop requested signal={} workers={} drain_timeout_s={}", signalName(signo), workers_.size(), drain_s);
    notifyStopping("draining " + std::to_string(workers_.size()) + " workers");
    for (WorkerRecord & w : workers_.records())
        if (w.state != WorkerRecord::State::Draining)
            sendDrain(w, std::chrono::seconds(drain_s));
}

void Master::runTimers()
{
    auto now = Clock::now();
    answerDeferred(false);
    for (const WorkerRecord & w : workers_.records())
        if (now >= w.kill_at)
        {
            log_->error("worker pid={} generation={} missed its drain deadline: SIGKILL", w.pid, w.generation);
            ::kill(w.pid, SIGKILL);
        }
    for (WorkerRecord & w : workers_.records())
        if (now >= w.kill_at)
            w.kill_at = Clock::time_point::max(); /// reaped soon; do not kill twice
    if (switch_ && now - switch_->started >= kGenerationReadyTimeout)
        failSwitch("generation " + std::to_string(switch_->generation) + " was not ready within "
                   + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kGenerationReadyTimeout).count())
                   + " s");
    for (auto it = respawns_.begin(); it != respawns_.end();)
    {
        if (stopping_ || it->second.generation != serving_generation_)
        {
            it = respawns_.erase(it);
            continue;
        }
        if (now < it->second.due)
        {
            ++it;
            continue;
        }
        int slot = it->first;
        it = respawns_.erase(it);
        spawnWorker(plan_, listen_, serving_generation_, slot);
    }
}

int Master::pollTimeoutMs() const
{
    auto next = Clock::now() + std::chrono::seconds(1);
    for (const WorkerRecord & w : workers_.records())
        next = std::min(next, w.kill_at);
    for (const auto & [slot, r] : respawns_)
        next = std::min(next, r.due);
    if (switch_)
        next = std::min(next, switch_->started + kGenerationReadyTimeout);
    for (const DeferredAnswer & answer : deferred_answers_)
        next = std::min(next, answer.deadline);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(ms + 1, 0, 1000));
}

void Master::writePortFile()
{
    if (options_.port_file.empty())
        return;
    std::string tmp = options_.port_file + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << listen_.address().port() << "\n";
        if (!out)
        {
            log_->error("cannot write port file {}", tmp);
            return;
        }
    }
    if (std::rename(tmp.c_str(), options_.port_file.c_str()) == -1)
        log_->error("rename({}, {}) failed: {}", tmp, options_.port_file, std::strerror(errno));
}

}
