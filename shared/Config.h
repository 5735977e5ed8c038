#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

/// The whole loaded configuration: Tyk's gateway file, every API definition from app_path, and
/// Sluice's own "sluice" object. Built once by the master (and again on reload), immutable after.
/// Units follow Tyk's code, not its docs: timeouts in seconds, flush_interval in milliseconds.
namespace sluice
{

/// A config problem, always tied to a file and a key path ("proxy.target_url").
class ConfigError : public std::runtime_error
{
public:
    ConfigError(std::string file, std::string key, std::string reason);
    const std::string & file() const { return file_; }
    const std::string & key() const { return key_; }
    const std::string & reason() const { return reason_; }

private:
    std::string file_;
    std::string key_;
    std::string reason_;
};

/// A parsed upstream URL ("http://127.0.0.1:8000/base?k=1").
struct UpstreamTarget
{
    std::string url;         /// as written in the file
    std::string host;        /// "127.0.0.1" (brackets removed for IPv6)
    uint16_t port = 80;
    std::string host_header; /// host[:port] exactly as written, sent as Host
    std::string path;        /// "" or "/base"
    std::string query;       /// "" or "k=1" (without '?')
};

struct ApiDefinition
{
    std::string source_file;
    std::string raw_json;    /// the definition as loaded, for GET /tyk/apis
    std::string name;
    std::string api_id;
    std::string org_id;
    std::string listen_path; /// normalised: leading '/', cleaned, trailing '/' kept
    bool strip_listen_path = false;
    bool disable_strip_slash = false;
    bool preserve_host_header = false;
    UpstreamTarget target;
    /// Non-empty when enable_load_balancing is on: round robin over these (repeats = weight).
    std::vector<UpstreamTarget> target_list;
    std::string domain;      /// only used with enable_custom_domains
    /// Non-empty when version_data makes every request fail (Tyk answers 403 with this text).
    std::string version_error;
};

struct HttpServerOptions
{
    int read_timeout_s = 120;    /// 0 in the file means 120, as in Tyk
    int write_timeout_s = 120;   /// Sluice: per-write stall limit on streams, not an absolute cut
    int flush_interval_ms = 0;   /// 0 = no periodic flush for fixed-length bodies
    bool enable_websockets = false;
    bool enable_strict_routes = false;
    bool skip_url_cleaning = false;
    int64_t max_request_body_size = 0; /// bytes, 0 = unlimited
};

/// Sluice's own settings: the top-level "sluice" object.
struct SluiceSettings
{
    int worker_processes = 0;        /// resolved: >= 1 (file: int or "auto"; default = cores)
    int drain_timeout_s = 0;         /// resolved: default graceful_shutdown_timeout_duration
    int stream_idle_timeout_s = 600; /// upstream silent this long -> stream closed (0 = never)
    int heartbeat_interval_s = 0;    /// SSE ": ping" comment after this much client silence (0 = off)
    int max_streams_per_worker = 0;  /// resolved: default from RLIMIT_NOFILE
    int max_threads = 128;           /// Poco request threads per worker
    int keepalive_timeout_s = 15;    /// idle client keep-alive connection limit
    int max_draining_generations = 8; /// past this, the oldest draining generation closes its streams at once
    std::string log_file;            /// absolute path for master, worker and stream lines; "" = stderr
    int stats_interval_s = 60;       /// each worker logs a stats line this often (0 = never)
    std::string access_log_file;     /// absolute path for access lines; "" = same destination as log_file
};

struct GatewayConfig
{
    std::string source_file;
    std::string listen_address;      /// "" = all interfaces
    int listen_port = 0;
    std::string secret;
    std::string app_path;            /// resolved directory of API definitions
    std::string hostname;
    bool enable_custom_domains = false;
    HttpServerOptions http;
    double proxy_default_timeout_s = 30; /// 0 in the file means 30
    bool proxy_close_connections = false;
    int max_idle_connections_per_host = 2;
    bool close_connections = false;
    bool hide_generator_header = false;
    std::string log_level = "info";
    std::string health_check_endpoint_name = "hello";
    std::string readiness_check_endpoint_name = "ready";
    int graceful_shutdown_timeout_s = 30;
    SluiceSettings sluice;
};

struct Plan
{
    GatewayConfig gateway;
    std::vector<ApiDefinition> apis; /// active, non-internal, in app_path lexical order
};
using PlanPtr = std::shared_ptr<const Plan>;

using Environment = std::map<std::string, std::string>;
Environment currentEnvironment();

/// Reads and validates everything. Throws ConfigError naming file, key and reason.
PlanPtr loadPlan(const std::string & conf_path, const Environment & env);

}
