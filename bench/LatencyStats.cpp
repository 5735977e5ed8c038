#include "bench/LatencyStats.h"

#include <algorithm>
#include <cmath>

namespace sluice::bench
{

namespace
{

double percentileMs(const std::vector<int64_t> & sorted, double fraction)
{
    auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
    size_t index = rank == 0 ? 0 : std::min(rank, sorted.size()) - 1;
    return static_cast<double>(sorted[index]) / 1e6;
}

}

LatencySummary summarizeLatencies(std::vector<int64_t> latencies_ns)
{
    LatencySummary summary;
    if (latencies_ns.empty())
        return summary;
    std::sort(latencies_ns.begin(), latencies_ns.end());
    double total = 0;
    for (int64_t value : latencies_ns)
        total += static_cast<double>(value);
    summary.count = latencies_ns.size();
    summary.mean_ms = total / static_cast<double>(summary.count) / 1e6;
    summary.p50_ms = percentileMs(latencies_ns, 0.50);
    summary.p90_ms = percentileMs(latencies_ns, 0.90);
    summary.p99_ms = percentileMs(latencies_ns, 0.99);
    summary.p999_ms = percentileMs(latencies_ns, 0.999);
    summary.max_ms = static_cast<double>(latencies_ns.back()) / 1e6;
    return summary;
}

}
