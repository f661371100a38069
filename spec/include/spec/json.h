// Reading and writing the spec model as JSON (yajl underneath), and validation.
#pragma once

#include <string>
#include <string_view>

#include "libcontainer/error.h"
#include "spec/spec.h"

namespace spec {

// Parses a config.json document. Unknown fields are ignored; wrong types and malformed JSON
// are errors whose message names the JSON path ("process.args[1]: expected a string").
lc::Result<Spec> parseSpec(std::string_view json);
// Reads and parses a file; errors name the file.
lc::Result<Spec> loadSpecFile(const std::string& path);

// The `process` object alone (runc exec --process FILE).
lc::Result<Process> parseProcess(std::string_view json);
// A LinuxResources object alone (runc update --resources).
lc::Result<Resources> parseResources(std::string_view json);
// A state document (state.json written by us, or `runc state` output).
lc::Result<State> parseState(std::string_view json);

// Semantic checks as runc makes them before creating anything: ociVersion is 1.x, root.path
// set, process.args not empty, cwd absolute, namespace types known and not duplicated, mount
// destinations absolute, ... Each error names the field ("process.args: must not be empty").
lc::Result<void> validate(const Spec& s);

// Writers. Output is compact JSON (no whitespace) unless `pretty`.
std::string toJson(const Spec& s, bool pretty = false);
std::string toJson(const Process& p, bool pretty = false);
std::string toJson(const Resources& r, bool pretty = false);
std::string toJson(const State& st, bool pretty = false);

}  // namespace spec
