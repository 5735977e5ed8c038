#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// Typed reads of one JSON object the way Go's encoding/json fills a struct, so that Tyk files mean the same
/// thing to Sluice: a key matches exactly or, failing that, case-insensitively; `null` counts as missing;
/// integers must be JSON integers (1.5 is not an int); a value of the wrong JSON type is an error.
/// Every error is a ConfigError naming the file and the key path ("http_server_options.read_timeout").
namespace sluice
{

class JsonFields
{
public:
    /// Parses `text` (the content of `file`). Throws ConfigError(file, "", "invalid JSON: line N: ...") on a syntax
    /// error (with the line when the parser's position is known), and when the top level is not an object.
    static JsonFields parse(const std::string & text, const std::string & file);

    /// An object with no keys: what a missing optional section reads as.
    static JsonFields empty(const std::string & file, const std::string & path);

    /// `path` is the key path of `object` itself ("" for the top level).
    JsonFields(Poco::JSON::Object::Ptr object, std::string file, std::string path);

    std::optional<std::string> getString(const std::string & key) const;
    std::optional<bool> getBool(const std::string & key) const;
    /// A JSON integer (any magnitude that fits int64_t); range checks are the caller's.
    std::optional<int64_t> getInt(const std::string & key) const;
    /// Any JSON number (Go float64 accepts integers too).
    std::optional<double> getNumber(const std::string & key) const;
    /// A nested object; missing or null -> nullopt.
    std::optional<JsonFields> getObject(const std::string & key) const;
    std::optional<std::vector<std::string>> getStringArray(const std::string & key) const;
    /// An array of objects (a Go []struct): element i has the key path "key[i]"; a null element reads as an
    /// empty object, as Go leaves a zero struct.
    std::optional<std::vector<JsonFields>> getObjectArray(const std::string & key) const;
    /// The value itself (empty Var when missing or null), for keys that accept more than one JSON type.
    Poco::Dynamic::Var getValue(const std::string & key) const;

    /// The keys exactly as written, in the object's iteration order.
    std::vector<std::string> keys() const;

    /// "parent.key", using the spelling found in the file when the key is present (that is what the user
    /// will search for), else `key` as given.
    std::string keyPath(const std::string & key) const;
    const std::string & file() const { return file_; }
    /// The key path of this object itself ("" for the top level).
    const std::string & path() const { return path_; }

    /// Throws ConfigError(file, keyPath(key), reason).
    [[noreturn]] void fail(const std::string & key, const std::string & reason) const;

    /// "string \"120\"", "number 1.5", "boolean true", "object", "array": for "expected X, got Y" messages.
    static std::string describe(const Poco::Dynamic::Var & value);

private:
    /// Exact match first, else the first case-insensitive one; sets *spelled to the key as written.
    const Poco::Dynamic::Var * find(const std::string & key, std::string * spelled = nullptr) const;
    [[noreturn]] void failType(const std::string & key, const char * expected, const Poco::Dynamic::Var & v) const;

    Poco::JSON::Object::Ptr object_;
    std::string file_;
    std::string path_;
};

/// "must be between 1 and 64, got 0"; "must be at least 0, got -1" when `max` is the type's maximum.
std::string rangeReason(int64_t min, int64_t max, int64_t value);

}
