#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice::bench
{

/// Percentiles of a set of latencies, in milliseconds (nearest-rank: pXX is the smallest sample that at
/// least XX% of the samples do not exceed, so p100 = max and no value is interpolated).
struct LatencySummary
{
    size_t count = 0;
    double mean_ms = 0;
    double p50_ms = 0;
    double p90_ms = 0;
    double p99_ms = 0;
    double p999_ms = 0;
    double max_ms = 0;
};

/// Takes the samples by value because it sorts them. Empty input gives all zeros.
LatencySummary summarizeLatencies(std::vector<int64_t> latencies_ns);

}
