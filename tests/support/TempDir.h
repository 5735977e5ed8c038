#pragma once

#include <string>

namespace sluice::test
{

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when the object dies.
/// Each integration test gets its own, so tests can run in parallel (ctest -j).
class TempDir
{
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir & operator=(const TempDir &) = delete;

    const std::string & path() const { return path_; }
    /// `path()/relative`; does not create anything.
    std::string file(const std::string & relative) const;
    /// Writes `content` to `path()/relative` (parent directories created); returns the full path.
    /// Throws std::runtime_error on failure.
    std::string write(const std::string & relative, const std::string & content) const;
    /// Creates `path()/relative` (and parents); returns the full path.
    std::string mkdir(const std::string & relative) const;

private:
    std::string path_;
};

/// Reads a whole file; empty string if it does not exist.
std::string readFile(const std::string & path);

}
