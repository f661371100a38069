// Shared pieces of the runc-cpp command line: global options, logging, command table.
#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "argv.h"
#include "libcontainer/error.h"
#include "libcontainer/runtime.h"

namespace cli {

namespace po = boost::program_options;

// Writes runc-style log lines: to the --log file when given (text or json), else to stderr
// as text. Errors also go to stderr as plain text when a log file is in use.
class Logger {
public:
    explicit Logger(const Globals& g);
    ~Logger();
    void error(const std::string& msg);
    void warn(const std::string& msg);
    void debug(const std::string& msg);
    bool debugEnabled() const { return debug_; }

private:
    void line(const char* level, const std::string& msg);
    FILE* file_ = nullptr;
    bool json_ = false;
    bool debug_ = false;
};

struct Context {
    Globals globals;
    Logger* log = nullptr;
    std::string program;   // argv[0] base name for usage text
    // Set by the commands that create a container: the --rootless decision may then ask the
    // user's systemd (rootless.h).
    bool createsContainer = false;
    lc::Result<lc::Runtime> runtime() const;
};

// A command: parses its own arguments (everything after the command name) and returns the
// process exit code. Errors are reported through ctx.log before returning 1.
using CommandFn = int (*)(Context& ctx, const std::vector<std::string>& args);

struct Command {
    const char* name;
    const char* summary;
    CommandFn fn;
};
const std::vector<Command>& commands();

// Parses a command's arguments (parseCommandArgs in argv.h). On a parse error reports it,
// sets *rc = 1 and returns nullopt; on --help prints the command's help, sets *rc = 0 and
// returns nullopt.
std::optional<CommandArgs> parseArgs(Context& ctx, const char* cmd, const std::vector<std::string>& args, int* rc);
// Reports an error and returns 1.
int failWith(Context& ctx, const lc::Error& e);
int failWith(Context& ctx, const std::string& msg);
// Takes exactly one <container-id> positional.
bool requireId(Context& ctx, const CommandArgs& p, const char* cmd, std::string* id, int* rc);

// For commands that take only <container-id>: parses, loads the container, and runs `op`
// on it; reports errors and returns the exit code.
int withContainer(Context& ctx, const char* cmd, const std::vector<std::string>& args,
                  const std::function<lc::Result<void>(lc::Container&)>& op);

// "9", "KILL", "SIGKILL" -> 9; "0" -> 0 (no signal: a liveness probe, as with kill(2)); -1 if unknown.
int parseSignal(const std::string& s);

int runCreate(Context&, const std::vector<std::string>&);
int runStart(Context&, const std::vector<std::string>&);
int runRun(Context&, const std::vector<std::string>&);
int runState(Context&, const std::vector<std::string>&);
int runKill(Context&, const std::vector<std::string>&);
int runDelete(Context&, const std::vector<std::string>&);
int runList(Context&, const std::vector<std::string>&);
int runSpec(Context&, const std::vector<std::string>&);
int runPause(Context&, const std::vector<std::string>&);
int runResume(Context&, const std::vector<std::string>&);
int runPs(Context&, const std::vector<std::string>&);
int runUpdate(Context&, const std::vector<std::string>&);
int runEvents(Context&, const std::vector<std::string>&);
int runExec(Context&, const std::vector<std::string>&);
int runFeatures(Context&, const std::vector<std::string>&);
int runCheckpoint(Context&, const std::vector<std::string>&);
int runRestore(Context&, const std::vector<std::string>&);

}  // namespace cli
