// Checkpoint and restore with CRIU (runc's `checkpoint` and `restore`): the options of
// Container::checkpoint and Runtime::restore. CRIU is driven through its RPC interface
// (`criu swrk` over a socketpair, CRIU's own rpc.proto); it must be installed (>= 3.0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lc {

// --manage-cgroups-mode: how CRIU treats the container's cgroups.
enum class CriuCgroupsMode { Default, Soft, Full, Strict, Ignore };

// Settings both operations share.
struct CriuCommonOptions {
    std::string imagePath;       // the image directory (made 0700 by checkpoint when missing)
    std::string workPath;        // CRIU's logs (dump.log / restore.log); default: imagePath
    bool tcpEstablished = false; // --tcp-established
    bool extUnixSk = false;      // --ext-unix-sk
    bool shellJob = false;       // --shell-job
    bool fileLocks = false;      // --file-locks
    bool autoDedup = false;      // --auto-dedup
    bool lazyPages = false;      // --lazy-pages
    uint32_t emptyNs = 0;        // --empty-ns: CLONE_NEW* flags of namespaces not to dump/restore
    CriuCgroupsMode cgroupsMode = CriuCgroupsMode::Default;
    std::string criuPath = "criu";  // the CRIU binary (a name is looked up in PATH)
};

struct CheckpointOptions : CriuCommonOptions {
    std::string parentPath;      // --parent-path: a previous (pre-)dump, relative to imagePath
    bool leaveRunning = false;   // --leave-running
    bool preDump = false;        // --pre-dump: memory only, the container keeps running
    std::string pageServer;      // --page-server ADDRESS:PORT
    int statusFd = -1;           // --status-fd: told "\0" when lazy pages are ready
};

struct RestoreOptions : CriuCommonOptions {
    std::string id;
    std::string bundle;          // holds config.json (default: the cwd)
    std::string pidFile;
    std::string consoleSocket;   // receives the new pty master when the process had a terminal
    bool noPivot = false;        // accepted as runc does (CRIU sets up the root itself)
    // Called with the messages CRIU's failures point at (the log file) and other notes.
    std::vector<std::string>* warnings = nullptr;
};

// Parses runc's --manage-cgroups-mode value ("soft", "full", "strict", "ignore"); false if unknown.
bool parseCriuCgroupsMode(const std::string& s, CriuCgroupsMode* out);

// Whether checkpointing can work here: `criu` is found and `criu check` passes.
bool criuUsable(const std::string& criuPath = "criu");

}  // namespace lc
