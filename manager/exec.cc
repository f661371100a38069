// exec: runs another process in a running container, in the foreground (libcontainer's
// exec from this process: it joins the container's namespaces and cgroup). -t gives it a
// terminal proxied to ours. The exit code is the process's (128+signal when killed).
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "libcontainer/terminal.h"
#include "args.h"
#include "commands.h"
#include "options.h"
#include "spec/json.h"
#include "user.h"

namespace mgr {

int cmdExec(const Store& store, const Argv& argv) {
    auto a = Args::parse(argv, {{'t', "tty", false}, {'i', "interactive", false}, {'e', "env", true},
                                {'w', "workdir", true}, {'h', "help", false}, {'u', "user", true}, {0, "env-file", true}});
    if (!a) return errorOut(a.error().message(), 125);
    if (a->has("help") || a->positional.size() < 2) {
        std::puts("Usage: runccpp-manager exec [-t|--tty] [-i] [-e KEY=VALUE] [--env-file FILE] [-w DIR]\n"
                  "                             [-u USER[:GROUP]] CONTAINER COMMAND [ARG...]\n\n"
                  "-u takes a name or uid (and group), names looked up in the container's /etc/passwd\n"
                  "and /etc/group; --env-file reads VAR=value lines as run's does.\n"
                  "Without -t the process shares our stdin, stdout and stderr; with -t it gets a\n"
                  "terminal proxied to ours. -i is accepted for docker compatibility.");
        return a->has("help") ? 0 : 125;
    }
    auto m = store.resolve(a->positional[0]);
    if (!m) return errorOut(m.error().message(), 125);
    Status s = store.status(*m);
    if (s.state != "running") return errorOut("container " + a->positional[0] + " is not running", 125);
    auto c = loadContainer(store, m->id);
    if (!c) return errorOut(c.error().message(), 125);
    auto proc = c->configProcess();
    if (!proc) return errorOut(proc.error().message(), 125);
    bool tty = a->has("tty");
    proc->args.assign(a->positional.begin() + 1, a->positional.end());
    proc->terminal = tty;
    std::vector<std::string> env;
    for (const auto& f : a->values("env-file")) {
        auto e = readEnvFile(f);
        if (!e) return errorOut(e.error().message(), 125);
        env.insert(env.end(), e->begin(), e->end());
    }
    for (const auto& kv : a->values("env")) env.push_back(kv);
    for (const auto& kv : env) {
        std::string key = kv.substr(0, kv.find('='));
        std::erase_if(proc->env, [&](const std::string& e) { return e.substr(0, e.find('=')) == key; });
        proc->env.push_back(kv);
    }
    if (a->has("workdir")) proc->cwd = a->value("workdir");
    if (a->has("user")) {
        // names from the container's own files: its rootfs as its effective spec has it
        auto sp = spec::loadSpecFile(store.dir(m->id) + "/config.json");
        if (!sp || !sp->root) return errorOut("exec -u: no spec for " + a->positional[0], 125);
        std::string rootfs = sp->root->path.starts_with("/") ? sp->root->path : m->bundle + "/" + sp->root->path;
        auto ids = resolveUser(rootfs, a->value("user"));
        if (!ids) return errorOut(ids.error().message(), 125);
        proc->user.uid = ids->uid;
        proc->user.gid = ids->gid;
        proc->user.additionalGids.clear();
    }

    sigset_t set, old;
    sigemptyset(&set);
    for (int sg : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD}) sigaddset(&set, sg);
    ::sigprocmask(SIG_BLOCK, &set, &old);
    lc::ExecOptions eo;
    eo.process = *proc;
    eo.keepConsole = tty;
    auto p = c->exec(eo);
    if (!p) {
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        int err = p.error().errnum();
        return errorOut("exec in " + a->positional[0] + ": " + p.error().message(), err == ENOENT ? 127 : err == EACCES ? 126 : 126);
    }
    store.event("exec_start", *m, {{"execCommand", proc->args[0]}});
    lc::UniqueFd sigfd(::signalfd(-1, &set, SFD_CLOEXEC));
    {
        lc::RawTerminal raw(tty && ::isatty(0) ? 0 : -1);
        if (tty) lc::copyWindowSize(p->console.get());
        bool masterOpen = tty, stdinOpen = tty;
        for (;;) {
            pollfd f[4] = {{sigfd.get(), POLLIN, 0}, {p->pidfd.get(), POLLIN, 0},
                           {masterOpen ? p->console.get() : -1, POLLIN, 0}, {stdinOpen ? 0 : -1, POLLIN, 0}};
            if (::poll(f, 4, -1) < 0) {
                if (errno == EINTR) continue;
                break;
            }
            if (f[0].revents & POLLIN) {
                signalfd_siginfo si;
                if (::read(sigfd.get(), &si, sizeof si) == sizeof si) {
                    int sg = static_cast<int>(si.ssi_signo);
                    if (sg == SIGWINCH && tty) lc::copyWindowSize(p->console.get());
                    else if (sg != SIGCHLD && sg != SIGWINCH) ::kill(p->pid, sg);
                }
            }
            if ((f[2].revents & (POLLIN | POLLHUP | POLLERR)) && !lc::copyOnce(p->console.get(), 1)) masterOpen = false;
            if ((f[3].revents & (POLLIN | POLLHUP | POLLERR)) && !lc::copyOnce(0, p->console.get())) {
                stdinOpen = false;
                char eot = 4;
                (void)::write(p->console.get(), &eot, 1);
            }
            if (f[1].revents & POLLIN) break;
        }
        if (masterOpen) {  // what the terminal still holds
            pollfd f{p->console.get(), POLLIN, 0};
            while (::poll(&f, 1, 50) > 0 && (f.revents & POLLIN) && lc::copyOnce(p->console.get(), 1)) {}
        }
    }
    int st = 0;
    while (::waitpid(p->pid, &st, 0) < 0 && errno == EINTR) {}
    // the signals stay blocked until we exit with the process's code (see attach)
    int code = lc::exitCodeOf(st);
    store.event("exec_die", *m, {{"exitCode", std::to_string(code)}});
    return code;
}

}  // namespace mgr
