#include "shared/EnvOverrides.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace sluice
{

namespace
{

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

int digitValue(char c)
{
    c = lower(c);
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    return 99;
}

/// Go's underscoreOK: '_' only between digits, or right after a base prefix.
bool underscoresOk(const std::string & s)
{
    char saw = '^'; /// '^' start, '0' digit or prefix, '_' underscore, '!' anything else
    size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
        ++i;
    bool hex = false;
    if (s.size() - i >= 2 && s[i] == '0' && (lower(s[i + 1]) == 'b' || lower(s[i + 1]) == 'o' || lower(s[i + 1]) == 'x'))
    {
        hex = lower(s[i + 1]) == 'x';
        i += 2;
        saw = '0';
    }
    for (; i < s.size(); ++i)
    {
        char c = lower(s[i]);
        if ((c >= '0' && c <= '9') || (hex && c >= 'a' && c <= 'f'))
            saw = '0';
        else if (c == '_')
        {
            if (saw != '0')
                return false;
            saw = '_';
        }
        else
        {
            if (saw == '_')
                return false;
            saw = '!';
        }
    }
    return saw != '_';
}

bool isNameChar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

}

std::optional<std::string> lookupEnv(const Environment & env, const std::string & name)
{
    auto it = env.find(name);
    if (it == env.end())
        return std::nullopt;
    return it->second;
}

std::optional<bool> parseGoBool(const std::string & text)
{
    if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" || text == "True")
        return true;
    if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" || text == "False")
        return false;
    return std::nullopt;
}

std::optional<int64_t> parseGoInt(const std::string & text)
{
    size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-'))
        negative = text[i++] == '-';
    if (i == text.size())
        return std::nullopt;

    int base = 10;
    if (text[i] == '0')
    {
        char next = i + 1 < text.size() ? lower(text[i + 1]) : '\0';
        bool has_digits_after_prefix = text.size() - i >= 3;
        if (next == 'b' && has_digits_after_prefix)
            base = 2, i += 2;
        else if (next == 'o' && has_digits_after_prefix)
            base = 8, i += 2;
        else if (next == 'x' && has_digits_after_prefix)
            base = 16, i += 2;
        else
            base = 8, i += 1; /// "0" alone is 0; "0755" is octal
    }

    constexpr uint64_t kLimit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1;
    uint64_t value = 0;
    bool underscores = false;
    for (; i < text.size(); ++i)
    {
        if (text[i] == '_')
        {
            underscores = true;
            continue;
        }
        int d = digitValue(text[i]);
        if (d >= base)
            return std::nullopt;
        if (value > (kLimit - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base))
            return std::nullopt; /// out of range for int64
        value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    if (underscores && !underscoresOk(text))
        return std::nullopt;
    if (!negative && value == kLimit)
        return std::nullopt;
    return negative ? static_cast<int64_t>(0 - value) : static_cast<int64_t>(value);
}

std::optional<double> parseGoFloat(const std::string & text)
{
    /// from_chars is locale-independent (strtod is not) but knows no leading '+'.
    const char * begin = text.data();
    const char * end = text.data() + text.size();
    if (begin != end && *begin == '+')
    {
        ++begin;
        if (begin != end && *begin == '-')
            return std::nullopt; /// "+-1"
    }
    double value = 0;
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::string expandEnvReferences(const std::string & text, const Environment & env)
{
    static const std::string kScheme = "env://";
    std::string out;
    size_t pos = 0;
    for (;;)
    {
        size_t at = text.find(kScheme, pos);
        if (at == std::string::npos)
            break;
        size_t name_begin = at + kScheme.size();
        size_t name_end = name_begin;
        while (name_end < text.size() && isNameChar(text[name_end]))
            ++name_end;
        std::string name = text.substr(name_begin, name_end - name_begin);
        auto it = name.empty() ? env.end() : env.find(name);
        out.append(text, pos, at - pos);
        if (it != env.end() && !it->second.empty())
            out += it->second;
        else
            out.append(text, at, name_end - at);
        pos = name_end;
    }
    out.append(text, pos, std::string::npos);
    return out;
}

}
