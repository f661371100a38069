// Reading and writing the spec model as JSON (yajl underneath), and validation.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "spec/spec.h"

namespace spec {

// Parses a config.json document. Unknown fields are ignored; wrong types and malformed JSON
// are errors whose message names the JSON path ("process.args[1]: expected string",
// "linux.resources.memory.limit: expected integer", "process.user.uid: value -1 out of range
// for uint32", "invalid JSON: parse error: premature EOF at offset 12"). A JSON null is the
// same as an absent member (a null array element is the element's zero value, as in Go).
lc::Result<Spec> parseSpec(std::string_view json);
// Reads and parses a file; errors name the file ("open x: no such file or directory",
// "parse x: process.args: expected array").
lc::Result<Spec> loadSpecFile(const std::string& path);

// The `process` object alone (runc exec --process FILE).
lc::Result<Process> parseProcess(std::string_view json);
// Reads and parses a process file; errors name the file as loadSpecFile's do.
lc::Result<Process> loadProcessFile(const std::string& path);
// A LinuxResources object alone (runc update --resources).
lc::Result<Resources> parseResources(std::string_view json);
// A state document (state.json written by us, or `runc state` output).
lc::Result<State> parseState(std::string_view json);

// Semantic checks as runc makes them before creating anything: ociVersion is 1.x, root.path
// set, process.args not empty, cwd absolute, namespace types known and not duplicated, mount
// destinations absolute, ... Each error names the field ("process.args: must not be empty").
lc::Result<void> validate(const Spec& s);
// The process part of validate() alone (exec's process): args, cwd, user ids in 0-2147483647
// ("process.user.uid: 4294967295 is out of range 0-2147483647"), umask, consoleSize,
// oomScoreAdj, rlimits, ioPriority, scheduler.
lc::Result<void> validateProcess(const Process& p);

// Writers. Output is compact JSON (no whitespace) unless `pretty` (tab-indented, as `runc spec`
// writes). Members the OCI JSON marks omitempty are left out when absent, empty, false or 0.
std::string toJson(const Spec& s, bool pretty = false);
std::string toJson(const Process& p, bool pretty = false);
std::string toJson(const Resources& r, bool pretty = false);
std::string toJson(const State& st, bool pretty = false);
// linux.seccomp alone (the seccomp cache keys compiled filters by it).
std::string toJson(const Seccomp& sc, bool pretty = false);

}  // namespace spec
