#include "libcontainer/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace lc {

RawTerminal::RawTerminal(int fd) : fd_(fd) {
    if (fd >= 0 && ::isatty(fd) && ::tcgetattr(fd, &saved_) == 0) {
        termios raw = saved_;
        ::cfmakeraw(&raw);
        active_ = ::tcsetattr(fd, TCSANOW, &raw) == 0;
    }
}

RawTerminal::~RawTerminal() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
}

bool copyOnce(int from, int to) {
    char buf[8192];
    ssize_t n;
    do n = ::read(from, buf, sizeof buf); while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        off += w;
    }
    return true;
}

void copyWindowSize(int master) {
    winsize ws{};
    if (::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(master, TIOCSWINSZ, &ws);
}

}  // namespace lc
