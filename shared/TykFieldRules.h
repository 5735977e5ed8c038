#pragma once

#include "shared/JsonFields.h"
#include "shared/TykFieldPolicy.h"

#include <optional>
#include <string>

/// What the field tables are written with: one constructor per verdict, and small predicates. Each predicate
/// reads a field the way Go's decoder fills the struct (a missing field is zero) and returns the key path of what
/// makes the field active, or nullopt.
namespace sluice::rules
{

using Active = std::optional<std::string>;

inline TykField implemented(FieldLevel level, const char * path, const char * where)
{
    return {level, path, Verdict::Implemented, where};
}

inline TykField ignorable(FieldLevel level, const char * path, const char * why)
{
    return {level, path, Verdict::Ignorable, why};
}

inline TykField refused(FieldLevel level, const char * path, const char * reason, ApiRule rule)
{
    return {level, path, Verdict::RefusedWhenActive, reason, rule};
}

inline TykField refused(const char * path, const char * env, const char * reason, GatewayRule rule)
{
    return {FieldLevel::Gateway, path, Verdict::RefusedWhenActive, reason, nullptr, rule, env};
}

/// The object `key` of `parent`, or an empty one with the right key path when it is missing.
JsonFields section(const JsonFields & parent, const std::string & key);

Active whenTrue(const JsonFields & object, const std::string & key);
Active whenNonEmptyString(const JsonFields & object, const std::string & key);
/// A non-empty array of strings.
Active whenNonEmptyStrings(const JsonFields & object, const std::string & key);
/// An object (a Go map) with at least one key.
Active whenNonEmptyObject(const JsonFields & object, const std::string & key);
/// An integer other than 0.
Active whenNonZero(const JsonFields & object, const std::string & key);
/// An expiry date Tyk acts on: non-empty and not "-1".
Active whenExpiry(const JsonFields & object, const std::string & key);

/// The key path ("…size_limits[2]") of the first element of the array of objects `key` that `applies`.
Active firstEntry(const JsonFields & owner, const std::string & key, bool (*applies)(const JsonFields & entry));

bool anyEntry(const JsonFields & entry);
/// Not `disabled: true`.
bool notDisabled(const JsonFields & entry);
/// Not disabled, and with a method: for every endpoint type but white_list, black_list and ignored, Tyk compares
/// the method exactly, so an entry with an empty method never matches a request.
bool notDisabledWithMethod(const JsonFields & entry);

bool keyless(const JsonFields & def);
/// cache_options.enable_cache.
bool cacheEnabled(const JsonFields & def);
/// The API reaches an upstream over TLS: target_url, or with load balancing a target_list entry, is https/wss.
bool tlsUpstream(const JsonFields & def);

}
