#include "bench/ClientReport.h"

#include <cstdio>
#include <sstream>

namespace sluice::bench
{

namespace
{

std::string jsonString(const std::string & text)
{
    std::string quoted = "\"";
    for (char c : text)
    {
        if (c == '"' || c == '\\')
            quoted += '\\';
        if (static_cast<unsigned char>(c) < 0x20)
            continue; /// reasons come from strerror and status lines: no control characters worth keeping
        quoted += c;
    }
    return quoted + "\"";
}

std::string jsonCounts(const std::map<std::string, size_t> & counts)
{
    std::string text = "{";
    for (const auto & [reason, count] : counts)
        text += (text.size() > 1 ? "," : "") + jsonString(reason) + ":" + std::to_string(count);
    return text + "}";
}

std::string fixed(double value, int decimals)
{
    char text[64];
    std::snprintf(text, sizeof(text), "%.*f", decimals, value);
    return text;
}

double cpuMicrosPerEvent(const ClientResult & result)
{
    return result.events_hold == 0 ? 0 : result.proxy_cpu_s * 1e6 / static_cast<double>(result.events_hold);
}

/// Only when some stream had an event: a 0 would read as "instant".
std::string firstEventFields(const ClientResult & result)
{
    if (result.streams_with_event == 0)
        return "";
    return ",\"first_event_all_s\":" + fixed(result.first_event_all_s, 3) + ",\"first_event_p50_ms\":"
        + fixed(result.first_event.p50_ms, 1) + ",\"first_event_p99_ms\":" + fixed(result.first_event.p99_ms, 1);
}

}

std::string clientReportJson(const ClientOptions & options, const ClientResult & result)
{
    std::ostringstream json;
    json << "{\"target\":" << jsonString(options.target_text) << ",\"path\":" << jsonString(options.path)
         << ",\"streams_requested\":" << result.requested << ",\"streams_established\":" << result.established
         << ",\"streams_failed\":" << result.failed << ",\"failures\":" << jsonCounts(result.failures)
         << ",\"ramp_timed_out\":" << (result.ramp_timed_out ? "true" : "false")
         << ",\"ramp_s\":" << fixed(result.ramp_s, 3) << ",\"hold_s\":" << fixed(result.hold_s, 3)
         << ",\"headers_all_s\":" << fixed(result.headers_all_s, 3) << ",\"streams_with_event\":" << result.streams_with_event
         << firstEventFields(result)
         << ",\"events_total\":" << result.events_total << ",\"events_hold\":" << result.events_hold
         << ",\"events_lost\":" << result.eventsLost() << ",\"lost_gaps\":" << result.lost_gaps
         << ",\"streams_ended_early\":" << result.ended_early << ",\"early_ends\":" << jsonCounts(result.early_ends)
         << ",\"lost_early_estimate\":" << result.lost_early_estimate << ",\"out_of_order\":" << result.out_of_order
         << ",\"unparsed\":" << result.unparsed << ",\"latency_samples\":" << result.latency.count
         << ",\"mean_ms\":" << fixed(result.latency.mean_ms, 3) << ",\"p50_ms\":" << fixed(result.latency.p50_ms, 3)
         << ",\"p90_ms\":" << fixed(result.latency.p90_ms, 3) << ",\"p99_ms\":" << fixed(result.latency.p99_ms, 3)
         << ",\"p999_ms\":" << fixed(result.latency.p999_ms, 3) << ",\"max_ms\":" << fixed(result.latency.max_ms, 3)
         << ",\"proxy_processes\":" << result.proxy_processes << ",\"rss_baseline_kb\":" << result.rss_baseline_kb
         << ",\"rss_held_kb\":" << result.rss_held_kb << ",\"rss_peak_kb\":" << result.rss_peak_kb
         << ",\"rss_per_stream_kb\":" << fixed(result.rssPerStreamKb(), 2)
         << ",\"proxy_cpu_s\":" << fixed(result.proxy_cpu_s, 2)
         << ",\"proxy_cpu_us_per_event\":" << fixed(cpuMicrosPerEvent(result), 1)
         << ",\"emitter_cpu_s\":" << fixed(result.emitter_cpu_s, 2) << ",\"client_cpu_s\":" << fixed(result.client_cpu_s, 2)
         << ",\"machine_cpu_s\":" << fixed(result.machine_cpu_s, 2) << ",\"other_cpu_s\":" << fixed(result.otherCpuSeconds(), 2)
         << "}";
    return json.str();
}

std::string clientReportHuman(const ClientOptions & options, const ClientResult & result)
{
    std::ostringstream line;
    line << options.target_text << options.path << ": streams " << result.established << "/" << result.requested
         << " (failed " << result.failed << ", ended early " << result.ended_early << ") ramp "
         << fixed(result.ramp_s, 1) << " s (first event in all " << result.streams_with_event << " after "
         << fixed(result.first_event_all_s, 2) << " s), hold " << fixed(result.hold_s, 1) << " s: events " << result.events_hold
         << " lost " << result.eventsLost() << "; latency ms p50 " << fixed(result.latency.p50_ms, 3) << " p90 "
         << fixed(result.latency.p90_ms, 3) << " p99 " << fixed(result.latency.p99_ms, 3) << " p999 "
         << fixed(result.latency.p999_ms, 3) << " max " << fixed(result.latency.max_ms, 3);
    if (result.proxy_processes > 0)
        line << "; proxy " << result.proxy_processes << " procs, RSS " << result.rss_baseline_kb << " -> "
             << result.rss_held_kb << " KB (" << fixed(result.rssPerStreamKb(), 2) << " KB/stream), CPU "
             << fixed(result.proxy_cpu_s, 2) << " s (" << fixed(cpuMicrosPerEvent(result), 1) << " us/event)";
    line << "; client CPU " << fixed(result.client_cpu_s, 2) << " s; other processes CPU "
         << fixed(result.otherCpuSeconds(), 2) << " s";
    return line.str();
}

}
