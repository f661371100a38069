// ProcessIo: what a process wrote to its pty reaches the stdout fifo before onOutputDone
// fires, also when the process (the slave side) is gone before the shim read anything;
// unreadOutput() tells how much of it the fifo's reader has not read yet.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <string>

#include "loop.h"
#include "process_io.h"

using namespace shim;

namespace {
std::string readAll(int fd) {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
}
}  // namespace

TEST_CASE("process io: pty output is in the fifo when onOutputDone fires", "[shim]") {
    char dir[] = "/tmp/rcpp-shim-io-XXXXXX";
    REQUIRE(::mkdtemp(dir));
    std::string fifo = std::string(dir) + "/out";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(reader >= 0);

    auto loop = Loop::create();
    REQUIRE(loop);
    auto io = ProcessIo::open(**loop, {"", fifo, "", true});
    REQUIRE(io);
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(slave >= 0);
    REQUIRE((*io)->startConsole(lc::UniqueFd(master)));

    // The "process" writes and exits before the loop ran once.
    std::string text;
    for (int i = 0; i < 200; ++i) text += "line " + std::to_string(i) + "\n";
    REQUIRE(::write(slave, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(slave);
    (*io)->drainNow();
    bool done = false;
    size_t unreadAtDone = 0;
    (*io)->onOutputDone([&] {
        done = true;
        unreadAtDone = (*io)->unreadOutput();
        (*loop)->stop();
    });
    if (!done) REQUIRE((*loop)->run());
    CHECK(done);
    CHECK((*io)->outputDone());
    std::string atDone = readAll(reader);
    CHECK(unreadAtDone == atDone.size());  // in the fifo, not read yet
    CHECK((*io)->unreadOutput() == 0);     // now it was
    // the pty turns "\n" into "\r\n"
    std::string want;
    for (char c : text) want += c == '\n' ? std::string("\r\n") : std::string(1, c);
    CHECK(atDone == want);
    // the reader sees EOF only once the shim let go of the fifo (after the exit was reported)
    CHECK(::read(reader, &want[0], 1) < 0);
    (*io)->releaseOutput();
    CHECK(::read(reader, &want[0], 1) == 0);
    ::close(reader);
    ::unlink(fifo.c_str());
    ::rmdir(dir);
}

TEST_CASE("process io: CloseIO before the process starts gives it stdin at EOF", "[shim]") {
    // ctr closes stdin as soon as its own stdin ends, which can be before Start.
    char dir[] = "/tmp/rcpp-shim-io-XXXXXX";
    REQUIRE(::mkdtemp(dir));
    std::string in = std::string(dir) + "/in", out = std::string(dir) + "/out";
    REQUIRE(::mkfifo(in.c_str(), 0600) == 0);
    REQUIRE(::mkfifo(out.c_str(), 0600) == 0);
    int writer = ::open(in.c_str(), O_RDWR | O_CLOEXEC);  // the client's end of stdin
    REQUIRE(writer >= 0);
    auto loop = Loop::create();
    REQUIRE(loop);
    auto io = ProcessIo::open(**loop, {in, out, "", false});
    REQUIRE(io);
    int childStdin = ::fcntl((*io)->childIn(), F_DUPFD_CLOEXEC, 3);  // what the process reads
    REQUIRE(childStdin >= 0);
    (*io)->closeStdin();
    auto started = (*io)->startPipes();
    CHECK(started);
    if (!started) INFO(started.error().message());
    char c;
    CHECK(::read(childStdin, &c, 1) == 0);  // EOF, no writer left
    ::close(childStdin);
    ::close(writer);
    ::unlink(in.c_str());
    ::unlink(out.c_str());
    ::rmdir(dir);
}

namespace {
// Runs the loop for about `ms` milliseconds (a timerfd stops it) and counts its iterations.
int iterationsFor(Loop& loop, int ms) {
    int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    REQUIRE(tfd >= 0);
    itimerspec its{};
    its.it_value.tv_nsec = ms * 1000000L;
    REQUIRE(::timerfd_settime(tfd, 0, &its, nullptr) == 0);
    REQUIRE(loop.watch(tfd, EPOLLIN, [&](uint32_t) { loop.stop(); }));
    int n = 0;
    loop.setIdle([&] { ++n; });
    REQUIRE(loop.run());
    loop.unwatch(tfd);
    loop.setIdle(nullptr);
    ::close(tfd);
    return n;
}
}  // namespace

TEST_CASE("loop: a quiet fd whose peer is gone does not wake the loop", "[shim]") {
    // epoll reports EPOLLERR/EPOLLHUP whatever the mask; a quiet fd must be out of the set.
    auto loop = Loop::create();
    REQUIRE(loop);
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
    ::close(p[0]);  // the write end now reports EPOLLERR
    int calls = 0;
    REQUIRE((*loop)->watch(p[1], 0, [&](uint32_t) { ++calls; }));
    CHECK(iterationsFor(**loop, 50) <= 2);
    CHECK(calls == 0);
    // armed again it is reported, and quiet again it is not
    (*loop)->modify(p[1], EPOLLOUT);
    int armed = 0;
    (*loop)->setIdle([&] {
        if (++armed >= 3) (*loop)->stop();
    });
    REQUIRE((*loop)->run());
    CHECK(calls >= 3);
    (*loop)->modify(p[1], 0);
    calls = 0;
    CHECK(iterationsFor(**loop, 50) <= 2);
    CHECK(calls == 0);
    // a second watch of the same fd is refused, also while it is quiet
    CHECK_FALSE((*loop)->watch(p[1], EPOLLOUT, [](uint32_t) {}));
    (*loop)->unwatch(p[1]);
    CHECK_FALSE((*loop)->watching(p[1]));
    ::close(p[1]);
}

TEST_CASE("process io: the stdin copy ends when the process's stdin is gone; the loop idles", "[shim]") {
    // ctr run -d: the shim holds the stdin fifo; the container exits and the pipe to its stdin
    // has no reader. The shim spun on that (epoll_wait + waitpid, a whole core) until Delete.
    ::signal(SIGPIPE, SIG_IGN);  // as the shim does
    char dir[] = "/tmp/rcpp-shim-io-XXXXXX";
    REQUIRE(::mkdtemp(dir));
    std::string in = std::string(dir) + "/in", out = std::string(dir) + "/out";
    REQUIRE(::mkfifo(in.c_str(), 0600) == 0);
    REQUIRE(::mkfifo(out.c_str(), 0600) == 0);
    int writer = ::open(in.c_str(), O_RDWR | O_CLOEXEC);  // the client's end of stdin, kept open
    REQUIRE(writer >= 0);
    auto loop = Loop::create();
    REQUIRE(loop);
    auto io = ProcessIo::open(**loop, {in, out, "", false});
    REQUIRE(io);
    int childStdin = ::fcntl((*io)->childIn(), F_DUPFD_CLOEXEC, 3);
    int childStdout = ::fcntl((*io)->childOut(), F_DUPFD_CLOEXEC, 3);
    REQUIRE(childStdin >= 0);
    REQUIRE(childStdout >= 0);
    REQUIRE((*io)->startPipes());
    // stdin still flows while the process is there
    REQUIRE(::write(writer, "hi", 2) == 2);
    iterationsFor(**loop, 20);
    char buf[4] = {};
    CHECK(::read(childStdin, buf, sizeof buf) == 2);
    // the process exits: its ends close
    ::close(childStdin);
    ::close(childStdout);
    REQUIRE(::write(writer, "more", 4) == 4);  // input that can no longer be delivered
    CHECK(iterationsFor(**loop, 100) <= 6);
    CHECK((*io)->outputDone());
    // the stdin fifo is let go of: more input is not read (it stays in the fifo)
    REQUIRE(::write(writer, "x", 1) == 1);
    CHECK(iterationsFor(**loop, 50) <= 2);
    int pending = 0;
    CHECK(::ioctl(writer, FIONREAD, &pending) == 0);
    CHECK(pending == 1);
    ::close(writer);
    ::unlink(in.c_str());
    ::unlink(out.c_str());
    ::rmdir(dir);
}

TEST_CASE("process io: a terminal's stdin survives its slave side closing and coming back (vhangup)", "[shim]") {
    ::signal(SIGPIPE, SIG_IGN);
    char dir[] = "/tmp/rcpp-shim-io-XXXXXX";
    REQUIRE(::mkdtemp(dir));
    std::string in = std::string(dir) + "/in";
    REQUIRE(::mkfifo(in.c_str(), 0600) == 0);
    int writer = ::open(in.c_str(), O_RDWR | O_CLOEXEC);
    REQUIRE(writer >= 0);
    auto loop = Loop::create();
    REQUIRE(loop);
    auto io = ProcessIo::open(**loop, {in, "", "", true});
    REQUIRE(io);
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    std::string slavePath = ::ptsname(master);
    int slave = ::open(slavePath.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    REQUIRE(slave >= 0);
    REQUIRE((*io)->startConsole(lc::UniqueFd(master)));
    // the slave goes away; input typed meanwhile cannot be delivered
    ::close(slave);
    REQUIRE(::write(writer, "lost\n", 5) == 5);
    CHECK(iterationsFor(**loop, 50) <= 6);
    // it comes back: what is typed now reaches it
    slave = ::open(slavePath.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    REQUIRE(slave >= 0);
    REQUIRE(::write(writer, "again\n", 6) == 6);
    iterationsFor(**loop, 50);
    std::string got;
    char buf[64];
    ssize_t n;
    while ((n = ::read(slave, buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
    CHECK(got.find("again") != std::string::npos);
    ::close(slave);
    ::close(writer);
    ::unlink(in.c_str());
    ::rmdir(dir);
}
