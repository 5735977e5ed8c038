#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

/// HTTP/1.1 header parsing shared by FakeUpstream and HttpTestClient.
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


}
