#include "bench/reload/LoadCounters.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace sluice::bench::reload
{

const char * outcomeName(Outcome outcome)
{
    switch (outcome)
    {
        case Outcome::Ok: return "ok";
        case Outcome::Non2xx: return "non_2xx";
        case Outcome::ConnectRefused: return "connect_refused";
        case Outcome::ConnectError: return "connect_error";
        case Outcome::Reset: return "reset";
        case Outcome::EofBeforeResponse: return "eof_before_response";
        case Outcome::EofMidResponse: return "eof_mid_response";
        case Outcome::Timeout: return "timeout";
        case Outcome::BadResponse: return "bad_response";
    }
    return "unknown";
}

LoadCounters::LoadCounters() : histogram_(kHistogramMaxUs + 2, 0)
{
}

void LoadCounters::latency(int64_t micros)
{
    int64_t bucket = std::clamp<int64_t>(micros, 0, kHistogramMaxUs + 1);
    ++histogram_[static_cast<size_t>(bucket)];
    max_us_ = std::max(max_us_, micros);
}

void LoadCounters::merge(const LoadCounters & other)
{
    for (int i = 0; i < kOutcomeCount; ++i)
        outcomes_[i] += other.outcomes_[i];
    connections_ += other.connections_;
    closes_announced_ += other.closes_announced_;
    for (size_t i = 0; i < histogram_.size(); ++i)
        histogram_[i] += other.histogram_[i];
    max_us_ = std::max(max_us_, other.max_us_);
}

uint64_t LoadCounters::requests() const
{
    uint64_t total = 0;
    for (int i = 0; i < kOutcomeCount; ++i)
        total += outcomes_[i];
    return total;
}

uint64_t LoadCounters::failures() const
{
    return requests() - outcome(Outcome::Ok);
}

int64_t LoadCounters::percentileUs(double fraction) const
{
    uint64_t total = 0;
    for (uint64_t n : histogram_)
        total += n;
    if (total == 0)
        return -1;
    auto wanted = static_cast<uint64_t>(fraction * static_cast<double>(total));
    uint64_t seen = 0;
    for (size_t i = 0; i < histogram_.size(); ++i)
    {
        seen += histogram_[i];
        if (seen > wanted)
            return i <= static_cast<size_t>(kHistogramMaxUs) ? static_cast<int64_t>(i) : max_us_;
    }
    return max_us_;
}

std::string LoadCounters::json(int connections, double seconds) const
{
    std::ostringstream out;
    out << "{\"connections\":" << connections << ",\"seconds\":" << seconds << ",\"requests\":" << requests()
        << ",\"failures\":" << failures();
    for (int i = 0; i < kOutcomeCount; ++i)
        out << ",\"" << outcomeName(static_cast<Outcome>(i)) << "\":" << outcomes_[i];
    char rps[32];
    std::snprintf(rps, sizeof rps, "%.1f", seconds > 0 ? static_cast<double>(outcome(Outcome::Ok)) / seconds : 0.0);
    out << ",\"ok_per_s\":" << rps << ",\"connections_opened\":" << connections_
        << ",\"closes_announced\":" << closes_announced_ << ",\"latency_p50_us\":" << percentileUs(0.5)
        << ",\"latency_p99_us\":" << percentileUs(0.99) << ",\"latency_max_us\":" << max_us_ << "}";
    return out.str();
}

std::string LoadCounters::human(int connections, double seconds) const
{
    std::ostringstream out;
    out << connections << " keep-alive connections for " << seconds << " s: " << requests() << " requests, "
        << outcome(Outcome::Ok) << " ok, " << failures() << " failed";
    if (failures() > 0)
    {
        out << " (";
        const char * sep = "";
        for (int i = 1; i < kOutcomeCount; ++i)
            if (outcomes_[i] > 0)
            {
                out << sep << outcomeName(static_cast<Outcome>(i)) << "=" << outcomes_[i];
                sep = ", ";
            }
        out << ")";
    }
    out << "; " << connections_ << " connections opened, " << closes_announced_
        << " closed by the server with Connection: close; latency p50 " << percentileUs(0.5) << " us, p99 "
        << percentileUs(0.99) << " us, max " << max_us_ << " us";
    return out.str();
}

}
