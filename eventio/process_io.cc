#include "process_io.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace shim {

namespace {
constexpr size_t kBufMax = 256 * 1024;

void setNonblock(int fd) {
    int fl = ::fcntl(fd, F_GETFL);
    if (fl >= 0) ::fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

// Output fifos are opened O_RDWR, which never blocks whether or not the reader is there yet.
// The input fifo is opened O_RDONLY|O_NONBLOCK: epoll reports nothing until a writer came,
// and EPOLLHUP once every writer that came has gone, which is the end of stdin (the client
// closes its end of the fifo when its own stdin ends).
lc::Result<lc::UniqueFd> openFifo(const std::string& path, bool input = false) {
    int fd = ::open(path.c_str(), (input ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return lc::errnoError("open " + path);
    return lc::UniqueFd(fd);
}

lc::Result<lc::UniqueFd> devNull() {
    int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0) return lc::errnoError("open /dev/null");
    return lc::UniqueFd(fd);
}
}  // namespace

Pump::Pump(Loop& loop, lc::UniqueFd src, lc::UniqueFd dst) : loop_(loop), src_(std::move(src)), dst_(std::move(dst)) {
    setNonblock(src_.get());
    setNonblock(dst_.get());
    dstIsTty_ = dst_ && ::isatty(dst_.get()) == 1;
}

// dst reported an error or refused a write. A pipe whose reader is gone stays so: the copy
// ends (update() finishes it). A pty master only has no slave open right now (a vhangup, a
// program reopening its terminal): what is buffered is dropped and the copy goes on.
void Pump::dstFailed() {
    buf_.clear();
    if (!dstIsTty_) closing_ = true;
}

Pump::~Pump() {
    if (src_) loop_.unwatch(src_.get());
    if (dst_) loop_.unwatch(dst_.get());
}

lc::Result<void> Pump::start() {
    if (!src_ || !dst_) return lc::fail(EBADF, "stdio copy: missing fd");
    LC_TRY(loop_.watch(src_.get(), EPOLLIN, [this](uint32_t ev) { onSrc(ev); }));
    LC_TRY(loop_.watch(dst_.get(), 0, [this](uint32_t ev) { onDst(ev); }));
    return {};
}

bool Pump::readSome() {
    char tmp[65536];
    for (;;) {
        if (buf_.size() >= kBufMax) return true;
        ssize_t n = ::read(src_.get(), tmp, sizeof tmp);
        if (n > 0) {
            buf_.append(tmp, static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return true;
        return false;  // EOF, or EIO from a pty master whose slave side is gone
    }
}

void Pump::writeSome() {
    while (dst_ && !buf_.empty()) {
        ssize_t n = ::write(dst_.get(), buf_.data(), buf_.size());
        if (n > 0) {
            buf_.erase(0, static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        // The reader is gone (EPIPE: the process's stdin after it exited; EIO: a pty with no
        // slave): drop what is buffered rather than block the process.
        dstFailed();
    }
}

void Pump::onSrc(uint32_t) {
    if (!readSome()) srcEof_ = true;
    writeSome();
    update();
}

void Pump::onDst(uint32_t ev) {
    // Nobody reads dst (the process's stdin pipe once the process is gone, a pty without its
    // slave): dst is only armed while something is buffered, so this cannot repeat.
    if (ev & (EPOLLERR | EPOLLHUP)) dstFailed();
    else writeSome();
    update();
}

void Pump::update() {
    if (!dst_) return;
    if ((srcEof_ || closing_) && buf_.empty()) {
        finish();
        return;
    }
    if (src_) {
        if (srcEof_) {
            loop_.unwatch(src_.get());
            src_.reset();
        } else {
            loop_.modify(src_.get(), buf_.size() < kBufMax ? uint32_t{EPOLLIN} : 0u);
        }
    }
    loop_.modify(dst_.get(), buf_.empty() ? 0u : uint32_t{EPOLLOUT});
}

void Pump::finish() {
    if (src_) {
        loop_.unwatch(src_.get());
        src_.reset();
    }
    if (dst_) {
        loop_.unwatch(dst_.get());
        dst_.reset();
    }
    if (auto fn = std::exchange(onDone_, nullptr)) fn();
}

void Pump::drainNow() {
    if (!dst_ || !src_) return;
    if (!readSome()) srcEof_ = true;
    writeSome();
    update();
}

void Pump::closeDst() {
    closing_ = true;
    if (src_) {
        loop_.unwatch(src_.get());
        src_.reset();
    }
    writeSome();
    update();
}

lc::Result<std::unique_ptr<ProcessIo>> ProcessIo::open(Loop& loop, const StdioPaths& paths) {
    std::unique_ptr<ProcessIo> io(new ProcessIo(loop));
    io->paths_ = paths;
    if (!paths.in.empty()) {
        auto f = openFifo(paths.in, true);
        if (!f) return std::unexpected(f.error());
        io->fifoIn_ = std::move(*f);
    }
    if (!paths.out.empty()) {
        auto f = openFifo(paths.out);
        if (!f) return std::unexpected(f.error());
        io->fifoOut_ = std::move(*f);
    }
    if (!paths.err.empty() && !paths.terminal) {
        auto f = openFifo(paths.err);
        if (!f) return std::unexpected(f.error());
        io->fifoErr_ = std::move(*f);
    }
    for (auto [fifo, probe] : {std::pair{&io->fifoOut_, &io->outProbe_}, std::pair{&io->fifoErr_, &io->errProbe_}}) {
        if (!*fifo) continue;
        int d = ::fcntl(fifo->get(), F_DUPFD_CLOEXEC, 3);
        if (d < 0) return lc::errnoError("dup fifo");
        probe->reset(d);
    }
    if (paths.terminal) return io;
    auto pipeOr = [](lc::UniqueFd& fifo, lc::UniqueFd& child, lc::UniqueFd& ours, bool input) -> lc::Result<void> {
        if (!fifo) {
            auto n = devNull();
            if (!n) return std::unexpected(n.error());
            child = std::move(*n);
            return {};
        }
        int p[2];
        if (::pipe2(p, O_CLOEXEC) < 0) return lc::errnoError("pipe");
        child.reset(input ? p[0] : p[1]);
        ours.reset(input ? p[1] : p[0]);
        return {};
    };
    LC_TRY(pipeOr(io->fifoIn_, io->childIn_, io->ourIn_, true));
    LC_TRY(pipeOr(io->fifoOut_, io->childOut_, io->ourOut_, false));
    LC_TRY(pipeOr(io->fifoErr_, io->childErr_, io->ourErr_, false));
    return io;
}

lc::Result<void> ProcessIo::startPipes() {
    childIn_.reset();
    childOut_.reset();
    childErr_.reset();
    if (fifoIn_ && !stdinClosed_) {
        in_ = std::make_unique<Pump>(loop_, std::move(fifoIn_), std::move(ourIn_));
        LC_TRY(in_->start());
    }
    fifoIn_.reset();
    if (fifoOut_) {
        out_ = std::make_unique<Pump>(loop_, std::move(ourOut_), std::move(fifoOut_));
        LC_TRY(out_->start());
    }
    if (fifoErr_) {
        err_ = std::make_unique<Pump>(loop_, std::move(ourErr_), std::move(fifoErr_));
        LC_TRY(err_->start());
    }
    return {};
}

lc::Result<void> ProcessIo::startConsole(lc::UniqueFd master) {
    console_ = std::move(master);
    if (fifoIn_ && !stdinClosed_) {
        int d = ::fcntl(console_.get(), F_DUPFD_CLOEXEC, 3);
        if (d < 0) return lc::errnoError("dup console");
        in_ = std::make_unique<Pump>(loop_, std::move(fifoIn_), lc::UniqueFd(d));
        LC_TRY(in_->start());
    }
    if (fifoOut_) {
        int d = ::fcntl(console_.get(), F_DUPFD_CLOEXEC, 3);
        if (d < 0) return lc::errnoError("dup console");
        out_ = std::make_unique<Pump>(loop_, lc::UniqueFd(d), std::move(fifoOut_));
        LC_TRY(out_->start());
    }
    return {};
}

void ProcessIo::closeStdin() {
    stdinClosed_ = true;
    if (in_) in_->closeDst();
    ourIn_.reset();
}

void ProcessIo::drainNow() {
    if (out_) out_->drainNow();
    if (err_) err_->drainNow();
}

size_t ProcessIo::unreadOutput() const {
    size_t total = 0;
    for (int fd : {outProbe_.get(), errProbe_.get()}) {
        int n = 0;
        if (fd >= 0 && ::ioctl(fd, FIONREAD, &n) == 0 && n > 0) total += static_cast<size_t>(n);
    }
    return total;
}

void ProcessIo::releaseOutput() {
    outProbe_.reset();
    errProbe_.reset();
}

bool ProcessIo::outputDone() const { return (!out_ || out_->done()) && (!err_ || err_->done()); }

void ProcessIo::onOutputDone(std::function<void()> fn) {
    if (outputDone()) {
        fn();
        return;
    }
    outputDone_ = std::move(fn);
    auto check = [this] {
        if (outputDone())
            if (auto f = std::exchange(outputDone_, nullptr)) f();
    };
    if (out_) out_->onDone(check);
    if (err_) err_->onDone(check);
}

StdioSwap::StdioSwap(int in, int out, int err) {
    int want[3] = {in, out, err};
    for (int i = 0; i < 3; ++i) {
        if (want[i] < 0) continue;
        saved_[i] = ::fcntl(i, F_DUPFD_CLOEXEC, 3);
        ::dup2(want[i], i);
    }
}

StdioSwap::~StdioSwap() {
    for (int i = 0; i < 3; ++i) {
        if (saved_[i] < 0) continue;
        ::dup2(saved_[i], i);
        ::close(saved_[i]);
    }
}

}  // namespace shim
