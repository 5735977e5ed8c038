#include "shared/TykFieldRules.h"

#include <Poco/String.h>

#include <vector>

namespace sluice::rules
{

namespace
{

bool tlsScheme(const std::string & url)
{
    std::string lower = Poco::toLower(Poco::trim(url));
    return Poco::startsWith(lower, std::string("https://")) || Poco::startsWith(lower, std::string("wss://"));
}

}

JsonFields section(const JsonFields & parent, const std::string & key)
{
    std::optional<JsonFields> object = parent.getObject(key);
    return object ? *object : JsonFields::empty(parent.file(), parent.keyPath(key));
}

Active whenTrue(const JsonFields & object, const std::string & key)
{
    return object.getBool(key).value_or(false) ? Active(object.keyPath(key)) : std::nullopt;
}

Active whenNonEmptyString(const JsonFields & object, const std::string & key)
{
    return object.getString(key).value_or("").empty() ? std::nullopt : Active(object.keyPath(key));
}

Active whenNonEmptyStrings(const JsonFields & object, const std::string & key)
{
    std::optional<std::vector<std::string>> list = object.getStringArray(key);
    return list && !list->empty() ? Active(object.keyPath(key)) : std::nullopt;
}

Active whenNonEmptyObject(const JsonFields & object, const std::string & key)
{
    std::optional<JsonFields> map = object.getObject(key);
    return map && !map->keys().empty() ? Active(object.keyPath(key)) : std::nullopt;
}

Active whenNonZero(const JsonFields & object, const std::string & key)
{
    return object.getInt(key).value_or(0) != 0 ? Active(object.keyPath(key)) : std::nullopt;
}

Active whenExpiry(const JsonFields & object, const std::string & key)
{
    std::string date = object.getString(key).value_or("");
    return date.empty() || date == "-1" ? std::nullopt : Active(object.keyPath(key));
}

Active firstEntry(const JsonFields & owner, const std::string & key, bool (*applies)(const JsonFields & entry))
{
    std::optional<std::vector<JsonFields>> entries = owner.getObjectArray(key);
    if (entries)
        for (const JsonFields & entry : *entries)
            if (applies(entry))
                return entry.path();
    return std::nullopt;
}

bool anyEntry(const JsonFields &)
{
    return true;
}

bool notDisabled(const JsonFields & entry)
{
    return !entry.getBool("disabled").value_or(false);
}

bool notDisabledWithMethod(const JsonFields & entry)
{
    return notDisabled(entry) && !entry.getString("method").value_or("").empty();
}

bool keyless(const JsonFields & def)
{
    return def.getBool("use_keyless").value_or(false);
}

bool cacheEnabled(const JsonFields & def)
{
    return section(def, "cache_options").getBool("enable_cache").value_or(false);
}

bool tlsUpstream(const JsonFields & def)
{
    JsonFields proxy = section(def, "proxy");
    if (tlsScheme(proxy.getString("target_url").value_or("")))
        return true;
    if (!proxy.getBool("enable_load_balancing").value_or(false))
        return false;
    for (const std::string & target : proxy.getStringArray("target_list").value_or(std::vector<std::string>{}))
        if (tlsScheme(target))
            return true;
    return false;
}

}
