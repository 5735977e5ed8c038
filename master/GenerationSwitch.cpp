/// The master's reloads: validate everything, start generation N+1 beside N, switch only when N+1 is ready,
/// then drain N (design.md §2). Startup is the same switch with nothing to drain.

#include "master/ListenSocket.h"
#include "master/Master.h"
#include "master/SdNotify.h"
#include "shared/Channel.h"
#include "shared/Logging.h"

#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace sluice::master
{

namespace
{

long long msSince(Clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

bool listenChanged(const GatewayConfig & a, const GatewayConfig & b)
{
    return a.listen_address != b.listen_address || a.listen_port != b.listen_port;
}

}

void Master::requestReload(const std::string & source, std::vector<ReloadWaiter> waiters)
{
    if (stopping_)
    {
        answerWaiters(waiters, false, "the gateway is stopping");
        return;
    }
    if (switch_)
    {
        /// Coalesce: everything asked during a switch is served by one more reload right after it, which is
        /// sure to read the files as they are after the last request.
        log_->info("reload requested {}: a reload is in progress, queued", source);
        reload_pending_ = true;
        pending_waiters_.insert(pending_waiters_.end(), waiters.begin(), waiters.end());
        return;
    }
    log_->info("reload requested {} serving_generation={}", source, serving_generation_);
    notifyReloading("reloading " + options_.conf_path);

    PlanPtr plan;
    try
    {
        plan = loadPlan(options_.conf_path, currentEnvironment());
    }
    catch (const ConfigError & e)
    {
        log_->error("reload refused: {}; generation {} keeps serving", e.what(), serving_generation_);
        notifyReady("reload refused: " + std::string(e.what()));
        answerWaiters(waiters, false, e.what());
        return;
    }

    std::optional<Poco::Net::ServerSocket> new_listen;
    if (listenChanged(plan->gateway, plan_->gateway))
    {
        try
        {
            new_listen = openListenSocket(plan->gateway);
        }
        catch (const std::exception & e)
        {
            log_->error("reload refused: {}: listen_port: {}; generation {} keeps serving", options_.conf_path,
                        e.what(), serving_generation_);
            notifyReady(std::string("reload refused: ") + e.what());
            answerWaiters(waiters, false, e.what());
            return;
        }
    }
    beginSwitch(std::move(plan), std::move(new_listen), std::move(waiters));
}

void Master::beginSwitch(PlanPtr plan, std::optional<Poco::Net::ServerSocket> new_listen,
                         std::vector<ReloadWaiter> waiters)
{
    GenerationSwitch sw;
    sw.generation = ++last_generation_;
    sw.plan = std::move(plan);
    sw.new_listen = std::move(new_listen);
    sw.started = Clock::now();
    sw.waiters = std::move(waiters);
    switch_ = std::move(sw);
    log_->info("generation {} starting workers={} apis={}", switch_->generation,
               switch_->plan->gateway.sluice.worker_processes, switch_->plan->apis.size());
    Poco::Net::ServerSocket & listen = switch_->new_listen ? *switch_->new_listen : listen_;
    for (int slot = 0; slot < switch_->plan->gateway.sluice.worker_processes && switch_; ++slot)
        spawnWorker(switch_->plan, listen, switch_->generation, slot);
}

void Master::checkSwitchReady()
{
    if (!switch_ || stopping_)
        return;
    int ready = 0;
    for (const WorkerRecord & r : workers_.records())
        if (r.generation == switch_->generation && r.state == WorkerRecord::State::Serving)
            ++ready;
    if (ready == switch_->plan->gateway.sluice.worker_processes)
        completeSwitch();
}

void Master::completeSwitch()
{
    GenerationSwitch sw = std::move(*switch_);
    switch_.reset();
    unsigned old_generation = serving_generation_;
    serving_generation_ = sw.generation;
    plan_ = sw.plan;
    respawns_.clear();
    slot_failures_.clear();
    if (sw.new_listen)
    {
        /// The old workers keep their own descriptors until they drain; the master lets go of its own now.
        std::string old_address = listen_address_;
        listen_.close();
        listen_ = *sw.new_listen;
        listen_address_ = boundAddress(listen_);
        log_->info("listening socket moved from {} to {}", old_address, listen_address_);
    }

    /// The new generation starts accepting before the old one stops: the shared backlog never lacks a taker.
    for (WorkerRecord & w : workers_.records())
        if (w.generation == serving_generation_ && w.state == WorkerRecord::State::Serving)
            sendServe(w);
    DeferredAnswer answer{std::move(sw.waiters), {}, Clock::now() + kDrainAckTimeout};
    auto budget = std::chrono::seconds(plan_->gateway.sluice.drain_timeout_s);
    for (WorkerRecord & w : workers_.records())
        if (w.generation != serving_generation_ && w.state != WorkerRecord::State::Draining)
        {
            sendDrain(w, budget);
            answer.old_workers.push_back(w.pid);
        }
    size_t drained = answer.old_workers.size();
    if (!answer.waiters.empty())
        deferred_answers_.push_back(std::move(answer));
    answerDeferred(false);
    log_->info("generation {} ready workers={} elapsed_ms={} draining_generation={} draining_workers={}",
               serving_generation_, plan_->gateway.sluice.worker_processes, msSince(sw.started), old_generation,
               drained);
    std::string status = "serving generation " + std::to_string(serving_generation_) + " on " + listen_address_;
    notifyReady(status);
    if (!announced_)
    {
        announced_ = true;
        writePortFile();
    }
    capDrainingGenerations();
    startPendingReload();
}

void Master::failSwitch(const std::string & reason)
{
    GenerationSwitch sw = std::move(*switch_);
    switch_.reset();
    for (const WorkerRecord & w : workers_.records())
        if (w.generation == sw.generation)
            ::kill(w.pid, SIGKILL); /// never served a request: nothing to drain
    /// Their exits are reaped as usual; mark them so that is not mistaken for a crash to respawn.
    for (WorkerRecord & w : workers_.records())
        if (w.generation == sw.generation)
            w.state = WorkerRecord::State::Draining;
    answerWaiters(sw.waiters, false, reason);
    if (serving_generation_ == 0)
    {
        log_->error("generation {} failed to start: {}", sw.generation, reason);
        exit_code_ = 1;
        return;
    }
    log_->error("reload failed: {}; generation {} keeps serving", reason, serving_generation_);
    notifyReady("reload failed: " + reason);
    startPendingReload();
}

void Master::answerDeferred(bool force)
{
    auto now = Clock::now();
    for (auto it = deferred_answers_.begin(); it != deferred_answers_.end();)
    {
        bool all_stopped = std::all_of(it->old_workers.begin(), it->old_workers.end(), [this](pid_t pid) {
            const WorkerRecord * w = workers_.findByPid(pid);
            return !w || w->accepting_stopped;
        });
        if (!all_stopped && !force && now < it->deadline)
        {
            ++it;
            continue;
        }
        answerWaiters(it->waiters, true, "");
        it = deferred_answers_.erase(it);
    }
}

void Master::answerWaiters(const std::vector<ReloadWaiter> & waiters, bool ok, const std::string & message)
{
    for (const ReloadWaiter & waiter : waiters)
    {
        WorkerRecord * w = workers_.findByPid(waiter.worker_pid);
        if (!w || w->channel_fd == -1)
            continue;
        ChannelMessage done;
        done.command = ChannelCommand::ReloadDone;
        done.request_id = waiter.request_id;
        done.ok = ok ? 1 : 0;
        done.setText(message);
        sendChannelMessage(w->channel_fd, done);
    }
}

void Master::capDrainingGenerations()
{
    /// Rapid reloads must not pile up old generations until memory or descriptors run out (nginx's failure);
    /// past the cap the oldest is told to end its streams now (cleanly: the terminal chunk lets EventSource
    /// reconnect). A generation that finished its work has exited already and does not count.
    std::set<unsigned> draining;
    for (const WorkerRecord & w : workers_.records())
        if (w.state == WorkerRecord::State::Draining && !w.hurried && w.generation != serving_generation_)
            draining.insert(w.generation);
    size_t cap = static_cast<size_t>(plan_->gateway.sluice.max_draining_generations);
    while (draining.size() > cap)
    {
        unsigned oldest = *draining.begin();
        draining.erase(draining.begin());
        log_->warn("too many draining generations ({} > max_draining_generations={}): closing generation {} now",
                   draining.size() + 1, cap, oldest);
        for (WorkerRecord & w : workers_.records())
            if (w.generation == oldest)
            {
                w.hurried = true;
                sendDrain(w, std::chrono::milliseconds(0));
            }
    }
}

void Master::startPendingReload()
{
    if (!reload_pending_ || stopping_)
        return;
    reload_pending_ = false;
    std::vector<ReloadWaiter> waiters = std::move(pending_waiters_);
    pending_waiters_.clear();
    requestReload("queued", std::move(waiters));
}

}
