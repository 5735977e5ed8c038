#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::bench::reload
{

/// How one request (or connection attempt) of the keep-alive load ended.
enum class Outcome
{
    Ok,                /// 2xx with a complete body
    Non2xx,            /// a complete response with another status
    ConnectRefused,    /// connect() got ECONNREFUSED
    ConnectError,      /// connect() failed otherwise
    Reset,             /// ECONNRESET/EPIPE while sending or receiving
    EofBeforeResponse, /// the server closed the connection without a byte of the response (nginx's reload failure)
    EofMidResponse,    /// the server closed in the middle of a response
    Timeout,           /// no complete response (or connect) within the timeout
    BadResponse,       /// bytes that are not an HTTP/1.x response
};

constexpr int kOutcomeCount = 9;
const char * outcomeName(Outcome outcome);

/// Counts of one client thread; merged at the end. Latencies of successful requests go into a histogram of 1 µs
/// buckets up to 100 ms (one overflow bucket above), enough for loopback percentiles without storing samples.
class LoadCounters
{
public:
    static constexpr int64_t kHistogramMaxUs = 100000;

    LoadCounters();

    void count(Outcome outcome) { ++outcomes_[static_cast<int>(outcome)]; }
    void latency(int64_t micros);
    void connectionOpened() { ++connections_; }
    void closeAnnounced() { ++closes_announced_; }
    void merge(const LoadCounters & other);

    uint64_t outcome(Outcome o) const { return outcomes_[static_cast<int>(o)]; }
    uint64_t requests() const;
    uint64_t failures() const;
    uint64_t connections() const { return connections_; }
    uint64_t closesAnnounced() const { return closes_announced_; }
    /// The latency below which `fraction` of successful requests fell, in µs (-1 without any).
    int64_t percentileUs(double fraction) const;
    int64_t maxUs() const { return max_us_; }

    /// One JSON object on one line (no trailing newline).
    std::string json(int connections, double seconds) const;
    /// One line for people.
    std::string human(int connections, double seconds) const;

private:
    uint64_t outcomes_[kOutcomeCount] = {};
    uint64_t connections_ = 0;
    uint64_t closes_announced_ = 0;
    std::vector<uint64_t> histogram_; /// [0, kHistogramMaxUs] plus one overflow bucket
    int64_t max_us_ = 0;
};

}
