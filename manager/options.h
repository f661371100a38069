// Options shared by run, exec and ps: docker's env files and label files, labels, and ps
// filters.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "libcontainer/error.h"

namespace mgr {

// docker's --env-file format: one VAR=value a line (the value as is, to the end of the
// line), a line with only VAR takes the caller's value (dropped when the caller has none),
// lines starting with # and blank lines are skipped. Leading whitespace is ignored; a name
// with whitespace in it or an empty name is an error naming the line.
lc::Result<std::vector<std::string>> parseEnvLines(const std::string& text, const std::string& file);
lc::Result<std::vector<std::string>> readEnvFile(const std::string& path);

// --label k=v (a bare k is k=""), --label-file lines in the env-file format (k alone is "").
lc::Result<void> addLabel(std::map<std::string, std::string>& labels, const std::string& kv);
lc::Result<void> addLabelFile(std::map<std::string, std::string>& labels, const std::string& path);

// ps --filter KEY=VALUE (repeatable): id= (a prefix of the id), name= (a regular expression
// searched in the name), status= (created|running|paused|exited|dead, also restarting and
// removing, which never match here), label=KEY or label=KEY=VALUE. As docker does, values of
// one key are ORed, different keys ANDed, and every label= must match.
struct PsFilter {
    std::map<std::string, std::vector<std::string>> values;
    [[nodiscard]] bool empty() const { return values.empty(); }
    [[nodiscard]] bool has(const std::string& key) const { return values.contains(key); }
};

struct PsSubject {
    std::string id, name, state;
    std::map<std::string, std::string> labels;
};

lc::Result<PsFilter> parsePsFilters(const std::vector<std::string>& flags);
bool psMatches(const PsFilter& f, const PsSubject& s);

}  // namespace mgr
