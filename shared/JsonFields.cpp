#include "shared/JsonFields.h"

#include "shared/Config.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <algorithm>
#include <limits>
#include <sstream>

namespace sluice
{

namespace
{

constexpr size_t kMaxShownChars = 40;

bool isObject(const Poco::Dynamic::Var & v)
{
    return v.type() == typeid(Poco::JSON::Object::Ptr);
}

bool isArray(const Poco::Dynamic::Var & v)
{
    return v.type() == typeid(Poco::JSON::Array::Ptr);
}

/// 1-based line of the first non-blank byte at or after `offset`: Poco has consumed the offending byte, or
/// only peeked at it after skipping blanks ("Excess characters"), so the byte before the stream position
/// is either the culprit or a blank in front of it.
int lineAt(const std::string & text, size_t offset)
{
    offset = text.find_first_not_of(" \t\r\n", offset);
    if (offset == std::string::npos)
        offset = text.size();
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}

JsonFields JsonFields::parse(const std::string & text, const std::string & file)
{
    /// Parsing from a stream, not a string: Poco then reads byte by byte, and the stream position after a
    /// failure tells the line of the offending byte (Poco's messages carry no position of their own).
    std::istringstream in(text);
    Poco::Dynamic::Var root;
    try
    {
        Poco::JSON::Parser parser;
        root = parser.parse(in);
    }
    catch (const Poco::Exception & e)
    {
        in.clear();
        std::streamoff consumed = in.tellg();
        std::string where;
        if (consumed > 0)
            where = "line " + std::to_string(lineAt(text, static_cast<size_t>(consumed) - 1)) + ": ";
        throw ConfigError(file, "", "invalid JSON: " + where + e.message());
    }
    if (!isObject(root))
        throw ConfigError(file, "", "expected a JSON object at the top level, got " + describe(root));
    return JsonFields(root.extract<Poco::JSON::Object::Ptr>(), file, "");
}

JsonFields JsonFields::empty(const std::string & file, const std::string & path)
{
    return JsonFields(new Poco::JSON::Object, file, path);
}

JsonFields::JsonFields(Poco::JSON::Object::Ptr object, std::string file, std::string path)
    : object_(std::move(object))
    , file_(std::move(file))
    , path_(std::move(path))
{
}

const Poco::Dynamic::Var * JsonFields::find(const std::string & key, std::string * spelled) const
{
    const Poco::Dynamic::Var * found = nullptr;
    for (const auto & [name, value] : *object_)
    {
        if (name == key)
        {
            found = &value;
            if (spelled)
                *spelled = name;
            break;
        }
        if (!found && Poco::icompare(name, key) == 0)
        {
            found = &value;
            if (spelled)
                *spelled = name;
        }
    }
    if (found && found->isEmpty())
        return nullptr; /// JSON null leaves a Go field untouched: same as missing
    return found;
}

std::string JsonFields::keyPath(const std::string & key) const
{
    std::string spelled = key;
    find(key, &spelled);
    return path_.empty() ? spelled : path_ + "." + spelled;
}

void JsonFields::fail(const std::string & key, const std::string & reason) const
{
    throw ConfigError(file_, keyPath(key), reason);
}

void JsonFields::failType(const std::string & key, const char * expected, const Poco::Dynamic::Var & v) const
{
    fail(key, std::string("expected ") + expected + ", got " + describe(v));
}

std::string JsonFields::describe(const Poco::Dynamic::Var & value)
{
    if (value.isEmpty())
        return "null";
    if (isObject(value))
        return "object";
    if (isArray(value))
        return "array";
    if (value.type() == typeid(bool))
        return std::string("boolean ") + (value.extract<bool>() ? "true" : "false");
    if (value.isString())
    {
        std::string s = value.extract<std::string>();
        if (s.size() > kMaxShownChars)
            s = s.substr(0, kMaxShownChars) + "...";
        return "string \"" + s + "\"";
    }
    if (value.isNumeric())
        return "number " + value.toString();
    return "value " + value.toString();
}

std::string rangeReason(int64_t min, int64_t max, int64_t value)
{
    std::string got = ", got " + std::to_string(value);
    if (max == std::numeric_limits<int>::max() || max == std::numeric_limits<int64_t>::max())
        return "must be at least " + std::to_string(min) + got;
    return "must be between " + std::to_string(min) + " and " + std::to_string(max) + got;
}

std::optional<std::string> JsonFields::getString(const std::string & key) const
{
    const Poco::Dynamic::Var * v = find(key);
    if (!v)
        return std::nullopt;
    if (!v->isString() || isObject(*v) || isArray(*v))
        failType(key, "a string", *v);
    return v->extract<std::string>();
}

std::optional<bool> JsonFields::getBool(const std::string & key) const
{
    const Poco::Dynamic::Var * v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type() != typeid(bool))
        failType(key, "a boolean", *v);
    return v->extract<bool>();
}

std::optional<int64_t> JsonFields::getInt(const std::string & key) const
{
    const Poco::Dynamic::Var * v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type() == typeid(bool) || !v->isInteger())
        failType(key, "an integer", *v);
    if (v->type() == typeid(Poco::UInt64)
        && v->extract<Poco::UInt64>() > static_cast<Poco::UInt64>(std::numeric_limits<int64_t>::max()))
        fail(key, "integer " + v->toString() + " is out of range");
    return v->convert<Poco::Int64>();
}

std::optional<double> JsonFields::getNumber(const std::string & key) const
{
    const Poco::Dynamic::Var * v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type() == typeid(bool) || !v->isNumeric())
        failType(key, "a number", *v);
    return v->convert<double>();
}

std::optional<JsonFields> JsonFields::getObject(const std::string & key) const
{
    const Poco::Dynamic::Var * v = find(key);
    if (!v)
        return std::nullopt;
    if (!isObject(*v))
        failType(key, "an object", *v);
    return JsonFields(v->extract<Poco::JSON::Object::Ptr>(), file_, keyPath(key));
}

std::optional<std::vector<std::string>> JsonFields::getStringArray(const std::string & key) const
{
    const Poco::Dynamic::Var * v = find(key);
    if (!v)
        return std::nullopt;
    if (!isArray(*v))
        failType(key, "an array of strings", *v);
    Poco::JSON::Array::Ptr array = v->extract<Poco::JSON::Array::Ptr>();
    std::vector<std::string> out;
    for (size_t i = 0; i < array->size(); ++i)
    {
        Poco::Dynamic::Var item = array->get(static_cast<unsigned>(i));
        if (!item.isString() || isObject(item) || isArray(item))
            throw ConfigError(file_, keyPath(key) + "[" + std::to_string(i) + "]",
                              "expected a string, got " + describe(item));
        out.push_back(item.extract<std::string>());
    }
    return out;
}

std::optional<std::vector<JsonFields>> JsonFields::getObjectArray(const std::string & key) const
{
    const Poco::Dynamic::Var * v = find(key);
    if (!v)
        return std::nullopt;
    if (!isArray(*v))
        failType(key, "an array of objects", *v);
    Poco::JSON::Array::Ptr array = v->extract<Poco::JSON::Array::Ptr>();
    std::vector<JsonFields> out;
    for (size_t i = 0; i < array->size(); ++i)
    {
        Poco::Dynamic::Var item = array->get(static_cast<unsigned>(i));
        std::string path = keyPath(key) + "[" + std::to_string(i) + "]";
        if (item.isEmpty())
            out.push_back(empty(file_, path));
        else if (isObject(item))
            out.emplace_back(item.extract<Poco::JSON::Object::Ptr>(), file_, path);
        else
            throw ConfigError(file_, path, "expected an object, got " + describe(item));
    }
    return out;
}

Poco::Dynamic::Var JsonFields::getValue(const std::string & key) const
{
    const Poco::Dynamic::Var * v = find(key);
    return v ? *v : Poco::Dynamic::Var();
}

std::vector<std::string> JsonFields::keys() const
{
    std::vector<std::string> out;
    for (const auto & entry : *object_)
        out.push_back(entry.first);
    return out;
}

}
