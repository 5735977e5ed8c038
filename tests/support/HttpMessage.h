#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

/// Small HTTP/1.1 parsing pieces shared by FakeUpstream and HttpTestClient. Written for tests: strict
/// enough to notice framing mistakes by the gateway, never forgiving them silently.
namespace sluice::test
{

/// Header fields in wire order; names compared case-insensitively, values kept as received.
class HeaderList
{
public:
    void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
    /// The first value for `name`, or nullopt.
    std::optional<std::string> get(const std::string & name) const;
    /// The first value for `name`, or "" (convenient in EXPECT_EQ).
    std::string value(const std::string & name) const { return get(name).value_or(""); }
    bool has(const std::string & name) const { return get(name).has_value(); }
    size_t count(const std::string & name) const;
    const std::vector<std::pair<std::string, std::string>> & fields() const { return fields_; }
    /// "Name: value\n" per field, for failure messages.
    std::string dump() const;

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

bool equalsIgnoreCase(const std::string & a, const std::string & b);

/// Parses "first line CRLF (field CRLF)*" (the blank line already removed). False on a malformed field.
bool parseHead(const std::string & head, std::string & first_line, HeaderList & headers);

/// Incremental decoder for a chunked body. Each complete chunk becomes one piece, so a test can see
/// whether the gateway kept one upstream write = one chunk. Trailers are read and ignored.
class ChunkParser
{
public:
    enum class State { Size, Data, DataEnd, Trailer, Done, Error };

    /// Consumes what it can from the front of `buffer`, appending each finished chunk to `pieces`.
    /// Bytes after the end of the body stay in `buffer` (they belong to the next response).
    void parse(std::string & buffer, std::vector<std::string> & pieces);
    bool done() const { return state_ == State::Done; }
    bool failed() const { return state_ == State::Error; }
    const std::string & error() const { return error_; }

private:
    State state_ = State::Size;
    size_t remaining_ = 0;
    std::string current_;
    std::string error_;
};

/// Frames `data` as one chunk ("<hex>\r\n<data>\r\n").
std::string chunk(const std::string & data);

}
