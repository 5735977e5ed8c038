#pragma once

#include "master/SignalSet.h"
#include "master/WorkerSet.h"
#include "shared/Config.h"

#include <Poco/Net/ServerSocket.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace spdlog { class logger; }

/// The master process: single-threaded, one flat loop over signals, worker channels and timers. It owns the
/// listening socket and the config generations; it never handles traffic.
///
/// Generations: the workers serving traffic are the serving generation. A reload (SIGHUP or /tyk/reload relayed by
/// a worker) validates the whole config first, then starts a new generation beside the serving one; only when
/// every new worker reports Ready is the old generation told to drain (design.md §2). Startup is the same switch
/// with nothing to drain.
namespace sluice::master
{

struct MasterOptions
{
    std::string conf_path;
    std::string port_file; /// written once the first generation serves
};

class Master
{
public:
    Master(MasterOptions options, PlanPtr plan);
    ~Master();

    /// Runs until stopped; returns the process exit code.
    int run();

private:
    /// A new generation that has not reported Ready by then is killed and the reload fails.
    static constexpr std::chrono::seconds kGenerationReadyTimeout{10};
    /// Old workers stop accepting within milliseconds of Drain; a blocking reload answer waits at most this.
    static constexpr std::chrono::seconds kDrainAckTimeout{2};

    /// A /tyk/reload?block=true caller waiting for the verdict.
    struct ReloadWaiter
    {
        pid_t worker_pid;
        uint64_t request_id;
    };

    /// Reload callers told "done" only once every old worker has stopped accepting, so that their next request
    /// is served by the new generation.
    struct DeferredAnswer
    {
        std::vector<ReloadWaiter> waiters;
        std::vector<pid_t> old_workers;
        Clock::time_point deadline;
    };

    /// A generation being started, not yet serving.
    struct GenerationSwitch
    {
        unsigned generation = 0;
        PlanPtr plan;
        std::optional<Poco::Net::ServerSocket> new_listen; /// set when listen_address/port changed
        Clock::time_point started;
        std::vector<ReloadWaiter> waiters;
    };

    // Master.cpp: the loop and the workers' lifecycle.
    void onSignal(int signo);
    void onChannelReadable(int fd);
    void reapChildren();
    void onWorkerExit(const WorkerRecord & worker, int status);
    void scheduleRespawn(const WorkerRecord & worker);
    void spawnWorker(const PlanPtr & plan, Poco::Net::ServerSocket & listen, unsigned generation, int slot);
    /// Runs in a new worker: closes the master's listening sockets other than the one the worker serves.
    void closeOtherListenSockets();
    void sendDrain(WorkerRecord & worker, std::chrono::milliseconds budget);
    /// Tells a Ready worker to start accepting.
    void sendServe(WorkerRecord & worker);
    void beginStop(int signo);
    void runTimers();
    int pollTimeoutMs() const;
    void writePortFile();

    // GenerationSwitch.cpp: reloads.
    void requestReload(const std::string & source, std::vector<ReloadWaiter> waiters);
    void beginSwitch(PlanPtr plan, std::optional<Poco::Net::ServerSocket> new_listen,
                     std::vector<ReloadWaiter> waiters);
    void checkSwitchReady();
    void completeSwitch();
    void failSwitch(const std::string & reason);
    void answerWaiters(const std::vector<ReloadWaiter> & waiters, bool ok, const std::string & message);
    void answerDeferred(bool force);
    void capDrainingGenerations();
    void startPendingReload();

    MasterOptions options_;
    PlanPtr plan_;       /// the serving generation's plan
    std::shared_ptr<spdlog::logger> log_;
    SignalSet signals_;
    WorkerSet workers_;
    Poco::Net::ServerSocket listen_;
    std::string listen_address_;
    /// The listening socket of the worker being forked (read in the child by closeOtherListenSockets).
    int spawning_listen_fd_ = -1;

    unsigned serving_generation_ = 0;
    unsigned last_generation_ = 0;
    std::optional<GenerationSwitch> switch_;
    bool reload_pending_ = false;
    std::vector<ReloadWaiter> pending_waiters_;
    std::vector<DeferredAnswer> deferred_answers_;
    bool announced_ = false; /// the first generation has served (port file written, READY=1)

    bool stopping_ = false;

    /// Respawn with exponential backoff per slot (a crash loop must not become a fork bomb).
    struct Respawn
    {
        unsigned generation;
        Clock::time_point due;
    };
    std::map<int, Respawn> respawns_;
    std::map<int, unsigned> slot_failures_;
    int exit_code_ = 0;
};

}
