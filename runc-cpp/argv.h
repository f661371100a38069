// The runc-cpp command line as data: argv in, the global options, the command name and that
// command's options and positional arguments out. Pure: no I/O, no environment, no state; a
// parse error is an lc::Error (never an exception), so the whole layer can be fuzzed
// (tests/fuzz/fuzz_argv.cc) and unit-tested without running a command.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "libcontainer/error.h"

namespace cli {

struct Globals {
    std::string root = "/run/runc-cpp";
    bool rootGiven = false;  // --root was on the command line (else rootless.h may move it)
    std::string logPath;
    std::string logFormat = "text";
    bool debug = false;
    bool systemdCgroup = false;
    std::string rootless = "auto";
    std::string criu;
};

// `runc-cpp [global options] command [arguments...]`
struct Invocation {
    Globals globals;
    bool help = false;     // --help / -h
    bool version = false;  // --version / -v
    std::string command;   // empty when argv has none
    std::vector<std::string> rest;  // everything after the command name
};

// Parses argv[1..argc) (argv[0] is not looked at). Global options end at the first argument
// that does not start with '-'; that one is the command. A malformed or unknown global
// option is an error whose message is boost's text (main prints it after "runc-cpp: ").
lc::Result<Invocation> parseGlobalArgs(int argc, const char* const* argv);
lc::Result<Invocation> parseGlobalArgs(const std::vector<std::string>& args);  // without argv[0]

// The command name in argv as parseGlobalArgs finds it, without parsing the options (empty
// when there is none, or when -h/--help/-v/--version comes before it). For main's start-up
// hook, which runs before static constructors: allocates nothing static.
std::string_view commandOf(int argc, const char* const* argv);

// Each command's options. Defaults are the values used when an option is not given.
struct CreateFlags {  // create, and run
    std::string bundle;
    std::string pidFile;
    std::string consoleSocket;
    bool noPivot = false;
    bool noNewKeyring = false;
    int preserveFds = 0;
};
struct RunFlags : CreateFlags {
    bool detach = false;
    bool keep = false;
};
struct DeleteFlags {
    bool force = false;
};
struct KillFlags {
    bool all = false;
};
struct ListFlags {
    std::string format = "table";
    bool quiet = false;
};
struct PsFlags {
    std::string format = "table";
};
struct EventsFlags {
    std::string interval = "5s";
    bool stats = false;
};
struct SpecFlags {
    std::string bundle;
    bool rootless = false;
};
struct ExecFlags {
    std::string consoleSocket, cwd, user, processFile, pidFile, processLabel, apparmor;
    std::vector<std::string> env, additionalGids, caps, cgroups;
    bool tty = false, detach = false, noNewPrivs = false, ignorePaused = false;
    int preserveFds = 0;
};
struct UpdateFlags {
    bool resourcesGiven = false;  // --resources/-r was given (then the other flags are ignored)
    std::string resources;
    std::string blkioWeight, cpuPeriod, cpuQuota, cpuBurst, cpuShare, cpuRtPeriod, cpuRtRuntime;
    std::string cpusetCpus, cpusetMems;
    std::string memory, memoryReservation, memorySwap, kernelMemory, kernelMemoryTcp;
    std::string pidsLimit, l3CacheSchema, memBwSchema;
};
struct CriuFlags {  // checkpoint and restore (runc's criuOptions)
    std::string imagePath, workPath, manageCgroupsMode;
    std::vector<std::string> emptyNs;
    bool tcpEstablished = false, extUnixSk = false, shellJob = false, fileLocks = false;
    bool autoDedup = false, lazyPages = false;
};
struct CheckpointFlags : CriuFlags {
    std::string parentPath, pageServer;
    bool leaveRunning = false, preDump = false;
    int statusFd = -1;
};
struct RestoreFlags : CriuFlags {
    std::string bundle, pidFile, consoleSocket;
    bool detach = false, noSubreaper = false, noPivot = false;
};
struct NoFlags {};  // start, state, pause, resume, features

using CommandFlags = std::variant<NoFlags, CreateFlags, RunFlags, DeleteFlags, KillFlags, ListFlags, PsFlags,
                                  EventsFlags, SpecFlags, ExecFlags, UpdateFlags, CheckpointFlags,
                                  RestoreFlags>;

struct CommandArgs {
    CommandFlags flags;
    std::vector<std::string> args;  // positional arguments, in order
    bool help = false;              // --help / -h: print commandHelp and exit 0
};

// Parses a command's own arguments (Invocation::rest). As with runc, options end at the
// first positional argument or "--": everything after the container id belongs to the
// container's command (`exec id sh -c ...`, `ps id -ef`). Positional counts are the
// command's business. An unknown option or a bad value is an error "<command>: <what>"; an
// unknown command is an error "No help topic for '<command>'".
lc::Result<CommandArgs> parseCommandArgs(std::string_view command, const std::vector<std::string>& args);

// "USAGE:\n   <program> <command> <usage>\n\nOPTIONS:\n<options>" as `<command> --help` prints it.
std::string commandHelp(std::string_view program, std::string_view command);

}  // namespace cli
