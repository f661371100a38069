// argv -> Invocation / CommandArgs on Boost.Program_options. Every option description of
// the CLI lives here, bound to the fields of the command's flags struct.
#include "argv.h"
#include "argv_scan.h"

#include <sstream>

#include <boost/program_options.hpp>

namespace cli {

namespace po = boost::program_options;

namespace {

// Global options that take a value.
bool globalTakesValue(std::string_view name) { return scan::takesValue(name.data(), name.size()); }

// The text of a parse error. Boost's what() replaces %placeholders% in its template with the
// option name, token and value until none is left, so a token that itself holds a placeholder
// ("--x%canonical_option%", or the value "%value%" of an int option) makes it loop forever
// while the message grows (fuzz finding: `runc-cpp list --x%canonical_option%` hung). When
// a token has a '%', the message is made here from the option name alone.
std::string errorText(const po::error& e, const std::vector<std::string>& tokens) {
    bool percent = false;
    for (const auto& t : tokens) percent = percent || t.find('%') != std::string::npos;
    if (!percent) return e.what();
    std::string name;
    if (const auto* n = dynamic_cast<const po::error_with_option_name*>(&e)) name = n->get_option_name();
    if (dynamic_cast<const po::unknown_option*>(&e)) return "unrecognised option '" + name + "'";
    if (name.empty()) return "invalid arguments";
    return "invalid use of option '" + name + "'";
}

void describeCreate(po::options_description& d, CreateFlags& f) {
    d.add_options()
        ("bundle,b", po::value(&f.bundle), "path to the root of the bundle directory, defaults to the current directory")
        ("console-socket", po::value(&f.consoleSocket), "path to an AF_UNIX socket which will receive the pty master")
        ("pid-file", po::value(&f.pidFile), "specify the file to write the process id to")
        ("no-pivot", po::bool_switch(&f.noPivot), "do not use pivot root to jail process inside rootfs")
        ("no-new-keyring", po::bool_switch(&f.noNewKeyring), "do not create a new session keyring for the container")
        ("preserve-fds", po::value(&f.preserveFds), "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)");
}

// runc's criuOptions, in its order and words.
void describeCriuTail(po::options_description& d, CriuFlags& f) {
    d.add_options()
        ("manage-cgroups-mode", po::value(&f.manageCgroupsMode), "cgroups mode: 'soft' (default), 'full' and 'strict'")
        ("empty-ns", po::value(&f.emptyNs), "create a namespace, but don't restore its properties")
        ("auto-dedup", po::bool_switch(&f.autoDedup), "enable auto deduplication of memory images");
}

void describeCheckpoint(po::options_description& d, CheckpointFlags& f) {
    d.add_options()
        ("image-path", po::value(&f.imagePath), "path for saving criu image files")
        ("work-path", po::value(&f.workPath), "path for saving work files and logs")
        ("parent-path", po::value(&f.parentPath), "path for previous criu image files in pre-dump")
        ("leave-running", po::bool_switch(&f.leaveRunning), "leave the process running after checkpointing")
        ("tcp-established", po::bool_switch(&f.tcpEstablished), "allow open tcp connections")
        ("ext-unix-sk", po::bool_switch(&f.extUnixSk), "allow external unix sockets")
        ("shell-job", po::bool_switch(&f.shellJob), "allow shell jobs")
        ("lazy-pages", po::bool_switch(&f.lazyPages), "use userfaultfd to lazily restore memory pages")
        ("status-fd", po::value(&f.statusFd), "criu writes \\0 to this FD once lazy-pages is ready (default: -1)")
        ("page-server", po::value(&f.pageServer), "ADDRESS:PORT of the page server")
        ("file-locks", po::bool_switch(&f.fileLocks), "handle file locks, for safety")
        ("pre-dump", po::bool_switch(&f.preDump), "dump container's memory information only, leave the container running after this");
    describeCriuTail(d, f);
}

void describeRestore(po::options_description& d, RestoreFlags& f) {
    d.add_options()
        ("console-socket", po::value(&f.consoleSocket), "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal")
        ("image-path", po::value(&f.imagePath), "path to criu image files for restoring")
        ("work-path", po::value(&f.workPath), "path for saving work files and logs")
        ("tcp-established", po::bool_switch(&f.tcpEstablished), "allow open tcp connections")
        ("ext-unix-sk", po::bool_switch(&f.extUnixSk), "allow external unix sockets")
        ("shell-job", po::bool_switch(&f.shellJob), "allow shell jobs")
        ("file-locks", po::bool_switch(&f.fileLocks), "handle file locks, for safety")
        ("bundle,b", po::value(&f.bundle), "path to the root of the bundle directory")
        ("detach,d", po::bool_switch(&f.detach), "detach from the container's process")
        ("pid-file", po::value(&f.pidFile), "specify the file to write the process id to")
        ("no-subreaper", po::bool_switch(&f.noSubreaper), "disable the use of the subreaper used to reap reparented processes")
        ("no-pivot", po::bool_switch(&f.noPivot), "do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk")
        ("lazy-pages", po::bool_switch(&f.lazyPages), "use userfaultfd to lazily restore memory pages");
    describeCriuTail(d, f);
}

void describeExec(po::options_description& d, ExecFlags& f) {
    d.add_options()
        ("console-socket", po::value(&f.consoleSocket), "path to an AF_UNIX socket which will receive the pty master")
        ("cwd", po::value(&f.cwd), "current working directory in the container")
        ("env,e", po::value(&f.env), "set environment variables (repeatable)")
        ("tty,t", po::bool_switch(&f.tty), "allocate a pseudo-TTY")
        ("user,u", po::value(&f.user), "UID (format: <uid>[:<gid>])")
        ("additional-gids,g", po::value(&f.additionalGids), "additional gids (repeatable)")
        ("process,p", po::value(&f.processFile), "path to the process.json")
        ("detach,d", po::bool_switch(&f.detach), "detach from the container's process")
        ("pid-file", po::value(&f.pidFile), "specify the file to write the process id to")
        ("process-label", po::value(&f.processLabel), "set the asm process label for the process commonly used with selinux")
        ("apparmor", po::value(&f.apparmor), "set the apparmor profile for the process")
        ("no-new-privs", po::bool_switch(&f.noNewPrivs), "set the no new privileges value for the process")
        ("cap,c", po::value(&f.caps), "add a capability to the bounding set for the process (repeatable)")
        ("preserve-fds", po::value(&f.preserveFds), "pass N additional file descriptors to the container")
        ("cgroup", po::value(&f.cgroups), "run the process in an (existing) sub-cgroup(s): <path> or <controller>:<path>")
        ("ignore-paused", po::bool_switch(&f.ignorePaused), "allow exec in a paused container");
}

void describeUpdate(po::options_description& d, UpdateFlags& f) {
    d.add_options()
        ("resources,r", po::value(&f.resources),
         "path to the file containing the resources to update or '-' to read from the standard input")
        ("blkio-weight", po::value(&f.blkioWeight), "Specifies per cgroup weight, range is from 10 to 1000")
        ("cpu-period", po::value(&f.cpuPeriod), "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default")
        ("cpu-quota", po::value(&f.cpuQuota), "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period")
        ("cpu-burst", po::value(&f.cpuBurst), "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period")
        ("cpu-share", po::value(&f.cpuShare), "CPU shares (relative weight vs. other containers)")
        ("cpu-rt-period", po::value(&f.cpuRtPeriod), "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default")
        ("cpu-rt-runtime", po::value(&f.cpuRtRuntime), "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period")
        ("cpuset-cpus", po::value(&f.cpusetCpus), "CPU(s) to use")
        ("cpuset-mems", po::value(&f.cpusetMems), "Memory node(s) to use")
        ("kernel-memory", po::value(&f.kernelMemory), "Kernel memory limit (in bytes)")
        ("kernel-memory-tcp", po::value(&f.kernelMemoryTcp), "Kernel memory limit (in bytes) for tcp buffer")
        ("memory", po::value(&f.memory), "Memory limit (in bytes)")
        ("memory-reservation", po::value(&f.memoryReservation), "Memory reservation or soft_limit (in bytes)")
        ("memory-swap", po::value(&f.memorySwap), "Total memory usage (memory + swap); set '-1' to enable unlimited swap")
        ("pids-limit", po::value(&f.pidsLimit), "Maximum number of pids allowed in the container")
        ("l3-cache-schema", po::value(&f.l3CacheSchema), "The string of Intel RDT/CAT L3 cache schema")
        ("mem-bw-schema", po::value(&f.memBwSchema), "The string of Intel RDT/MBA memory bandwidth schema");
}

// As Go's flag package (and so runc): no abbreviations. boost would take "--forc" for
// "--force", but the split below (which decides whether the next argument is an option's
// value) matches whole names only, so the two would disagree.
constexpr int kStyle = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

// Appends an option token. "--name=" of an option that takes a value (an empty value, which
// Go's flag package takes and boost refuses) goes in as "--name" and "".
void pushOption(std::vector<std::string>& out, const std::string& a, bool takesValue) {
    if (takesValue && a.size() > 3 && a.starts_with("--") && a.back() == '=' && a.find('=') == a.size() - 1) {
        out.push_back(a.substr(0, a.size() - 1));
        out.emplace_back();
        return;
    }
    out.push_back(a);
}

// The option of `all` that the token names ("--name", "--name=v", "-n", "-nVALUE" do not
// count: a short option with its value attached names no option here), or null.
const po::option_description* findOption(const po::options_description& all, const std::string& a) {
    if (a.size() < 2 || a[0] != '-' || a == "--") return nullptr;
    const bool isLong = a[1] == '-';
    std::string name = a.substr(isLong ? 2 : 1);
    if (isLong) name = name.substr(0, name.find('='));
    else if (name.size() != 1) return nullptr;
    for (const auto& o : all.options()) {
        if (isLong ? o->long_name() == name
                   : o->canonical_display_name(po::command_line_style::allow_dash_for_short) == a)
            return o.get();
    }
    return nullptr;
}

// runc's argument reordering (urfave/cli v1): every token that names one of the command's
// options (with its value, when the option takes one and it was not given with '=') moves in
// front of the other arguments, which keep their order; "--" stops the reordering and stays
// in front of what follows it. Unknown options stay in place (and then end the options, as
// Go's flag package does). Unlike urfave, a switch does not take the next argument along.
std::vector<std::string> reorderArgs(const po::options_description& all, const std::vector<std::string>& args) {
    std::vector<std::string> flags, rest;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            rest.insert(rest.begin(), "--");
            rest.insert(rest.end(), args.begin() + static_cast<long>(i) + 1, args.end());
            break;
        }
        const po::option_description* o = findOption(all, a);
        if (!o) {
            rest.push_back(a);
            continue;
        }
        flags.push_back(a);
        if (a.find('=') == std::string::npos && o->semantic()->max_tokens() > 0 && i + 1 < args.size())
            flags.push_back(args[++i]);
    }
    flags.insert(flags.end(), rest.begin(), rest.end());
    return flags;
}

// One command's description: its options bound to `flags` (which it sets to the command's
// alternative), its usage line, and whether it takes positional arguments.
struct Description {
    po::options_description options;
    const char* usage = "";
    bool positionals = true;
    // runc's CLI library moves the command's own flags in front of the positional arguments
    // (`update ID --memory 10M`), except for exec and ps, whose arguments after the container
    // id belong to the container's command.
    bool reorder = true;
};

bool describe(std::string_view cmd, CommandFlags& flags, Description& d) {
    const char* idOnly = "<container-id>";
    const char* withOptions = "[command options] <container-id>";
    if (cmd == "create") {
        describeCreate(d.options, flags.emplace<CreateFlags>());
        d.usage = withOptions;
    } else if (cmd == "run") {
        auto& f = flags.emplace<RunFlags>();
        describeCreate(d.options, f);
        d.options.add_options()
            ("detach,d", po::bool_switch(&f.detach), "detach from the container's process")
            ("keep", po::bool_switch(&f.keep), "do not delete the container after it exits");
        d.usage = withOptions;
    } else if (cmd == "delete") {
        auto& f = flags.emplace<DeleteFlags>();
        d.options.add_options()("force,f", po::bool_switch(&f.force), "forcibly deletes the container if it is still running (uses SIGKILL)");
        d.usage = withOptions;
    } else if (cmd == "kill") {
        auto& f = flags.emplace<KillFlags>();
        d.options.add_options()("all,a", po::bool_switch(&f.all), "send the specified signal to all processes inside the container");
        d.usage = "[command options] <container-id> [signal]";
    } else if (cmd == "list") {
        auto& f = flags.emplace<ListFlags>();
        d.options.add_options()
            ("format,f", po::value(&f.format), "select one of: table or json (default: \"table\")")
            ("quiet,q", po::bool_switch(&f.quiet), "display only container IDs");
        d.usage = "[command options]";
        d.positionals = false;
    } else if (cmd == "ps") {
        auto& f = flags.emplace<PsFlags>();
        d.options.add_options()("format,f", po::value(&f.format), "select one of: table or json (default: \"table\")");
        d.usage = "[command options] <container-id> [ps options]";
        d.reorder = false;
    } else if (cmd == "events") {
        auto& f = flags.emplace<EventsFlags>();
        d.options.add_options()
            ("interval", po::value(&f.interval), "set the stats collection interval (default: 5s)")
            ("stats", po::bool_switch(&f.stats), "display the container's stats then exit");
        d.usage = withOptions;
    } else if (cmd == "spec") {
        auto& f = flags.emplace<SpecFlags>();
        d.options.add_options()
            ("bundle,b", po::value(&f.bundle), "path to the root of the bundle directory")
            ("rootless", po::bool_switch(&f.rootless), "generate a configuration for a rootless container");
        d.usage = "[command options]";
        d.positionals = false;
    } else if (cmd == "exec") {
        describeExec(d.options, flags.emplace<ExecFlags>());
        d.usage = "[command options] <container-id> <command> [command options]";
        d.reorder = false;
    } else if (cmd == "update") {
        describeUpdate(d.options, flags.emplace<UpdateFlags>());
        d.usage = withOptions;
    } else if (cmd == "checkpoint") {
        describeCheckpoint(d.options, flags.emplace<CheckpointFlags>());
        d.usage = withOptions;
    } else if (cmd == "restore") {
        describeRestore(d.options, flags.emplace<RestoreFlags>());
        d.usage = withOptions;
    } else if (cmd == "features") {
        flags.emplace<NoFlags>();
        d.usage = "";
        d.positionals = false;
    } else if (cmd == "start" || cmd == "state" || cmd == "pause" || cmd == "resume") {
        flags.emplace<NoFlags>();
        d.usage = idOnly;
    } else {
        return false;
    }
    return true;
}

// Where the command name is in `args` (argv_scan.h).
size_t commandIndex(const std::vector<std::string>& args) {
    return scan::commandIndex(args.size(), [&](size_t i) { return args[i].c_str(); });
}

}  // namespace

std::string_view commandOf(int argc, const char* const* argv) {
    if (argc < 2 || !argv) return {};
    const size_t n = static_cast<size_t>(argc - 1);
    const size_t i = scan::commandIndex(n, [&](size_t j) { return argv[j + 1]; });
    for (size_t j = 0; j < i; ++j)
        if (scan::helpOrVersion(argv[j + 1])) return {};
    return i < n ? std::string_view(argv[i + 1]) : std::string_view();
}

lc::Result<Invocation> parseGlobalArgs(int argc, const char* const* argv) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    return parseGlobalArgs(args);
}

lc::Result<Invocation> parseGlobalArgs(const std::vector<std::string>& args) {
    Invocation inv;
    std::vector<std::string> global;
    const size_t end = commandIndex(args);
    for (size_t j = 0; j < end; ++j) {
        const std::string& a = args[j];
        const bool takesValue = globalTakesValue(std::string_view(a).substr(0, a.find('=')));
        pushOption(global, a, takesValue);
        if (a.find('=') == std::string::npos && takesValue && j + 1 < end) global.push_back(args[++j]);
    }
    size_t i = end;
    if (i < args.size()) inv.command = args[i++];
    inv.rest.assign(args.begin() + static_cast<long>(i), args.end());

    Globals& g = inv.globals;
    po::options_description gdesc;
    gdesc.add_options()
        ("root", po::value(&g.root))
        ("log", po::value(&g.logPath))
        ("log-format", po::value(&g.logFormat))
        ("debug", po::bool_switch(&g.debug))
        ("systemd-cgroup", po::bool_switch(&g.systemdCgroup))
        ("rootless", po::value(&g.rootless))
        ("criu", po::value(&g.criu))
        ("help,h", "")
        ("version,v", "");
    po::variables_map gvm;
    try {
        po::store(po::command_line_parser(global).options(gdesc).style(kStyle).run(), gvm);
        po::notify(gvm);
    } catch (const po::error& e) {
        return lc::fail(errorText(e, global));
    }
    g.rootGiven = gvm.count("root") > 0;
    inv.help = gvm.count("help") > 0;
    inv.version = gvm.count("version") > 0;
    return inv;
}

lc::Result<CommandArgs> parseCommandArgs(std::string_view command, const std::vector<std::string>& args) {
    CommandArgs out;
    Description d;
    if (!describe(command, out.flags, d)) return lc::fail("No help topic for '" + std::string(command) + "'");
    // Positionals are not a boost option: one would be reachable as "--args=x" (fuzz finding:
    // `delete --args=x` deleted x). They are what follows the options, taken as they are.
    po::options_description all;
    all.add(d.options);
    all.add_options()("help,h", "show help");

    const std::vector<std::string> ordered = d.reorder ? reorderArgs(all, args) : args;
    std::vector<std::string> opts, rest;
    size_t i = 0;
    for (; i < ordered.size(); ++i) {
        const std::string& a = ordered[i];
        if (a == "--") {
            ++i;
            break;
        }
        if (a.size() < 2 || a[0] != '-') break;
        // boost reads "--=x" as the positional "x" (fuzz finding: `delete --=x` deleted x);
        // an option needs a name, as Go's flag package (and so runc) says.
        if (a.starts_with("--=")) return lc::fail(std::string(command) + ": bad flag syntax: " + a);
        const po::option_description* o = findOption(all, a);  // "-uroot": value attached, none
        const bool takesValue = o && o->semantic()->max_tokens() > 0;
        pushOption(opts, a, takesValue);
        if (a.find('=') != std::string::npos) continue;
        if (takesValue && i + 1 < ordered.size()) opts.push_back(ordered[++i]);
    }
    rest.assign(ordered.begin() + static_cast<long>(i), ordered.end());
    po::variables_map vm;
    try {
        // No positional description: a stray non-option among the options is an error.
        po::store(po::command_line_parser(opts).options(all).style(kStyle).run(), vm);
        if (!rest.empty() && !d.positionals) throw po::too_many_positional_options_error();
        po::notify(vm);
    } catch (const po::error& e) {
        return lc::fail(std::string(command) + ": " + errorText(e, opts));
    }
    out.args = std::move(rest);
    out.help = vm.count("help") > 0;
    if (auto* u = std::get_if<UpdateFlags>(&out.flags)) u->resourcesGiven = vm.count("resources") > 0;
    return out;
}

std::string commandHelp(std::string_view program, std::string_view command) {
    CommandFlags flags;
    Description d;
    if (!describe(command, flags, d)) return {};
    std::ostringstream s;
    s << "USAGE:\n   " << program << " " << command << " " << d.usage << "\n\nOPTIONS:\n" << d.options;
    return s.str();
}

}  // namespace cli
