#pragma once

#include "shared/Config.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

/// Helpers for the config tests: a fresh directory per test holding a gateway file and an apps/ directory.
/// (tests/support has a TempDir too, but the unit test binary does not link the support library.)
namespace sluice::test
{

class ConfigDir
{
public:
    ConfigDir()
    {
        char pattern[] = "/tmp/sluice-config-test-XXXXXX";
        if (::mkdtemp(pattern) == nullptr)
            throw std::runtime_error(std::string("mkdtemp() failed: ") + std::strerror(errno));
        path_ = pattern;
        std::filesystem::create_directory(apps());
    }
    ~ConfigDir()
    {
        std::error_code ignored; /// a leftover temp directory must not fail the test that made it
        std::filesystem::remove_all(path_, ignored);
    }
    ConfigDir(const ConfigDir &) = delete;
    ConfigDir & operator=(const ConfigDir &) = delete;

    const std::string & path() const { return path_; }
    std::string apps() const { return path_ + "/apps"; }

    /// Writes `path()/relative`; returns the full path.
    std::string write(const std::string & relative, const std::string & text) const
    {
        std::string full = path_ + "/" + relative;
        std::ofstream out(full, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out)
            throw std::runtime_error("cannot write " + full);
        return full;
    }

    /// A gateway file "tyk.conf" whose app_path is apps(), plus `members` (JSON members, comma-separated).
    std::string writeGateway(const std::string & members = "") const
    {
        return write("tyk.conf", "{\"app_path\": \"" + apps() + "\"" + (members.empty() ? "" : ", " + members) + "}");
    }

    /// apps()/<name>.
    std::string writeApi(const std::string & name, const std::string & text) const
    {
        return write("apps/" + name, text);
    }

private:
    std::string path_;
};

/// A keyless API definition; `members` and `proxy_members` are extra JSON members for the top level and
/// for "proxy".
inline std::string keylessApi(const std::string & id, const std::string & listen_path, const std::string & members = "",
                              const std::string & proxy_members = "")
{
    return "{\"name\": \"" + id + "\", \"api_id\": \"" + id + "\", \"use_keyless\": true"
        + (members.empty() ? "" : ", " + members) + ", \"proxy\": {\"listen_path\": \"" + listen_path
        + "\", \"target_url\": \"http://127.0.0.1:8000\"" + (proxy_members.empty() ? "" : ", " + proxy_members)
        + "}}";
}

/// The ConfigError `f` throws, or nullopt when it throws nothing.
inline std::optional<ConfigError> configErrorOf(const std::function<void()> & f)
{
    try
    {
        f();
    }
    catch (const ConfigError & e)
    {
        return e;
    }
    return std::nullopt;
}

/// Restores the working directory when it goes out of scope (app_path "" and relative paths use it).
class WorkingDirectory
{
public:
    explicit WorkingDirectory(const std::string & path) : saved_(std::filesystem::current_path())
    {
        std::filesystem::current_path(path);
    }
    ~WorkingDirectory()
    {
        std::error_code ignored; /// nothing sensible to do in a destructor; the next test would notice
        std::filesystem::current_path(saved_, ignored);
    }
    WorkingDirectory(const WorkingDirectory &) = delete;
    WorkingDirectory & operator=(const WorkingDirectory &) = delete;

private:
    std::filesystem::path saved_;
};

}
