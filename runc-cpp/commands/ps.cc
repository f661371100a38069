#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "../cli.h"

namespace cli {

int runPs(Context& ctx, const std::vector<std::string>& args) {
    int rc = 0;
    auto parsed = parseArgs(ctx, "ps", args, &rc);
    if (!parsed) return rc;
    const std::string& format = std::get<PsFlags>(parsed->flags).format;
    const std::vector<std::string>& a = parsed->args;
    if (a.empty()) return failWith(ctx, "ps: \"ps\" requires a minimum of 1 argument");
    if (format != "table" && format != "json") return failWith(ctx, "invalid format option");
    auto rt = ctx.runtime();
    if (!rt) return failWith(ctx, rt.error());
    auto c = rt->load(a[0]);
    if (!c) return failWith(ctx, c.error());
    auto pids = c->pids();
    if (!pids) return failWith(ctx, pids.error());
    if (format == "json") {
        std::string out = "[";
        for (size_t i = 0; i < pids->size(); ++i) out += (i ? "," : "") + std::to_string((*pids)[i]);
        std::printf("%s]\n", out.c_str());
        return 0;
    }
    // Table: ps(1) with the extra args (default -ef), filtered to the container's pids.
    std::vector<std::string> psArgs{"ps"};
    if (a.size() > 1) psArgs.insert(psArgs.end(), a.begin() + 1, a.end());
    else psArgs.push_back("-ef");
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) return failWith(ctx, "ps: pipe failed");
    pid_t child = ::fork();
    if (child == 0) {
        std::vector<char*> av;
        for (auto& s : psArgs) av.push_back(s.data());
        av.push_back(nullptr);
        ::dup2(fds[1], 1);
        ::execvp("ps", av.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    FILE* p = ::fdopen(fds[0], "r");
    if (child < 0 || !p) return failWith(ctx, "ps: cannot run ps(1)");
    char line[4096];
    int pidCol = -1;
    bool header = true;
    while (std::fgets(line, sizeof line, p)) {
        std::string l = line;
        if (header) {
            std::printf("%s", l.c_str());
            // Find the PID column among the whitespace-separated header fields.
            int col = 0;
            size_t i = 0;
            while (i < l.size()) {
                while (i < l.size() && std::isspace(static_cast<unsigned char>(l[i]))) ++i;
                size_t j = i;
                while (j < l.size() && !std::isspace(static_cast<unsigned char>(l[j]))) ++j;
                if (j > i && l.substr(i, j - i) == "PID") pidCol = col;
                if (j > i) ++col;
                i = j;
            }
            header = false;
            if (pidCol < 0) {
                std::fclose(p);
                ::waitpid(child, nullptr, 0);
                return failWith(ctx, "couldn't find PID field in ps output");
            }
            continue;
        }
        int col = 0;
        size_t i = 0;
        long pid = -1;
        while (i < l.size()) {
            while (i < l.size() && std::isspace(static_cast<unsigned char>(l[i]))) ++i;
            size_t j = i;
            while (j < l.size() && !std::isspace(static_cast<unsigned char>(l[j]))) ++j;
            if (j > i && col++ == pidCol) {
                pid = std::strtol(l.substr(i, j - i).c_str(), nullptr, 10);
                break;
            }
            i = j;
        }
        for (pid_t x : *pids)
            if (x == pid) std::printf("%s", l.c_str());
    }
    std::fclose(p);
    int ws = 0;
    ::waitpid(child, &ws, 0);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) return failWith(ctx, "ps: ps(1) failed");
    return 0;
}

}  // namespace cli
