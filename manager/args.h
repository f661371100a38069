// A small flag parser for the manager's commands, in docker's style: flags come before the
// positional arguments (everything from the first positional on is positional, so that
// `run ROOTFS sh -c 'x'` keeps the command's own flags), -abc combines boolean short flags,
// --name=value and --name value both work, `--` ends the flags.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "libcontainer/error.h"

namespace mgr {

struct Flag {
    char shortName;        // 0 when none
    std::string longName;
    bool takesValue;
};

class Args {
public:
    static lc::Result<Args> parse(const std::vector<std::string>& argv, const std::vector<Flag>& flags);

    [[nodiscard]] bool has(const std::string& longName) const { return values_.contains(longName); }
    // The last value given (or def).
    [[nodiscard]] std::string value(const std::string& longName, const std::string& def = {}) const;
    [[nodiscard]] std::vector<std::string> values(const std::string& longName) const;
    std::vector<std::string> positional;

private:
    std::map<std::string, std::vector<std::string>> values_;
};

// "10m", "512k", "1g", "4096" -> bytes.
lc::Result<int64_t> parseSize(const std::string& s);
lc::Result<int64_t> parseInt(const std::string& s, const std::string& what);

}  // namespace mgr
