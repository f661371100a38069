#include "cgroups/devices/bpf.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "libcontainer/unique_fd.h"

namespace lc::cgroups::devices {
namespace {

// Registers: r1 ctx then scratch, r2 device type, r3 pending access bits, r4 major, r5 minor.
constexpr uint8_t R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}
bpf_insn loadCtxWord(uint8_t dst, int16_t off) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, R1, off, 0); }
bpf_insn mov32Reg(uint8_t dst, uint8_t src) { return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn and32Imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm); }
bpf_insn rsh32Imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm); }
bpf_insn mov64Imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
bpf_insn jne32Imm(uint8_t dst, uint32_t imm) {
    return insn(BPF_JMP32 | BPF_JNE | BPF_K, dst, 0, 0, static_cast<int32_t>(imm));
}
bpf_insn jeq32Imm(uint8_t dst, uint32_t imm) {
    return insn(BPF_JMP32 | BPF_JEQ | BPF_K, dst, 0, 0, static_cast<int32_t>(imm));
}
bpf_insn exitInsn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

int32_t bpfType(char t) { return t == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR; }

long sysBpf(int cmd, bpf_attr& attr) {
    return ::syscall(SYS_bpf, cmd, &attr, sizeof(attr));
}

uint64_t ptrToU64(const void* p) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)); }

}  // namespace

std::vector<bpf_insn> buildProgram(std::span<const Rule> rules) {
    std::vector<bpf_insn> p;
    p.reserve(8 + rules.size() * 9);
    p.push_back(loadCtxWord(R2, 0));  // access_type
    p.push_back(mov32Reg(R3, R2));
    p.push_back(rsh32Imm(R3, 16));         // access bits
    p.push_back(and32Imm(R2, 0xffff));     // device type
    p.push_back(loadCtxWord(R4, 4));  // major
    p.push_back(loadCtxWord(R5, 8));  // minor

    bool decided = false;  // an unconditional rule ends the program (no unreachable code)
    for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
        const Rule& r = *it;
        size_t start = p.size();
        std::vector<size_t> toNext;  // jumps to the end of this block
        if (r.type != 'a') {
            toNext.push_back(p.size());
            p.push_back(jne32Imm(R2, static_cast<uint32_t>(bpfType(r.type))));
        }
        if (r.major != kWildcard) {
            toNext.push_back(p.size());
            p.push_back(jne32Imm(R4, static_cast<uint32_t>(r.major)));
        }
        if (r.minor != kWildcard) {
            toNext.push_back(p.size());
            p.push_back(jne32Imm(R5, static_cast<uint32_t>(r.minor)));
        }
        bool full = (r.access & kAllAccess) == kAllAccess;
        if (!full) {
            // Skip the rule unless it names a pending bit.
            p.push_back(mov32Reg(R1, R3));
            p.push_back(and32Imm(R1, r.access));
            toNext.push_back(p.size());
            p.push_back(jeq32Imm(R1, 0));
        }
        if (!r.allow) {
            p.push_back(mov64Imm(R0, 0));
            p.push_back(exitInsn());
        } else if (full) {
            p.push_back(mov64Imm(R0, 1));
            p.push_back(exitInsn());
        } else {
            p.push_back(and32Imm(R3, static_cast<int32_t>(~r.access & kAllAccess)));
            toNext.push_back(p.size());
            p.push_back(jne32Imm(R3, 0));
            p.push_back(mov64Imm(R0, 1));
            p.push_back(exitInsn());
        }
        size_t end = p.size();
        for (size_t j : toNext) p[j].off = static_cast<int16_t>(end - (j + 1));
        // A rule for every device and every access decides everything; earlier rules are dead.
        if (r.type == 'a' && full && start == end - 2) {
            decided = true;
            break;
        }
    }
    if (!decided) {
        p.push_back(mov64Imm(R0, 0));
        p.push_back(exitInsn());
    }
    return p;
}

Result<void> attachProgram(int cgroupFd, std::span<const bpf_insn> prog, const std::string& dir) {
    static constexpr char license[] = "Apache-2.0";
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = ptrToU64(prog.data());
    attr.insn_cnt = static_cast<uint32_t>(prog.size());
    attr.license = ptrToU64(license);
    UniqueFd progFd(static_cast<int>(sysBpf(BPF_PROG_LOAD, attr)));
    if (!progFd) {
        int err = errno;
        // Load again with the verifier log, for a useful message.
        std::string log(16384, '\0');
        attr.log_level = 1;
        attr.log_buf = ptrToU64(log.data());
        attr.log_size = static_cast<uint32_t>(log.size());
        UniqueFd again(static_cast<int>(sysBpf(BPF_PROG_LOAD, attr)));
        log.resize(std::strlen(log.c_str()));
        // The first line says what is wrong; the rest is statistics.
        if (size_t nl = log.find('\n'); nl != std::string::npos) log.resize(nl);
        std::string ctx = "linux.resources.devices: load device filter for " + dir;
        if (!log.empty()) ctx += " (verifier: " + log + ")";
        return errnoError(std::move(ctx), err);
    }

    // Programs attached now, to replace.
    uint32_t ids[64] = {};
    std::memset(&attr, 0, sizeof attr);
    attr.query.target_fd = static_cast<uint32_t>(cgroupFd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = ptrToU64(ids);
    attr.query.prog_cnt = 64;
    uint32_t oldCount = 0, oldFlags = BPF_F_ALLOW_MULTI;
    if (sysBpf(BPF_PROG_QUERY, attr) == 0) {
        oldCount = attr.query.prog_cnt > 64 ? 64 : attr.query.prog_cnt;
        if (oldCount > 0) oldFlags = attr.query.attach_flags;
    }
    std::vector<UniqueFd> oldFds;
    if (oldFlags & BPF_F_ALLOW_MULTI) {
        for (uint32_t i = 0; i < oldCount; ++i) {
            std::memset(&attr, 0, sizeof attr);
            attr.prog_id = ids[i];
            UniqueFd fd(static_cast<int>(sysBpf(BPF_PROG_GET_FD_BY_ID, attr)));
            if (fd) oldFds.push_back(std::move(fd));
        }
    }

    std::memset(&attr, 0, sizeof attr);
    attr.target_fd = static_cast<uint32_t>(cgroupFd);
    attr.attach_bpf_fd = static_cast<uint32_t>(progFd.get());
    attr.attach_type = BPF_CGROUP_DEVICE;
    // Match the flags of what is attached already (a lone non-multi program is replaced).
    attr.attach_flags = oldFlags & (BPF_F_ALLOW_MULTI | BPF_F_ALLOW_OVERRIDE);
    if (sysBpf(BPF_PROG_ATTACH, attr) < 0) {
        int err = errno;
        return errnoError("linux.resources.devices: attach device filter to " + dir, err);
    }

    for (const auto& fd : oldFds) {
        std::memset(&attr, 0, sizeof attr);
        attr.target_fd = static_cast<uint32_t>(cgroupFd);
        attr.attach_bpf_fd = static_cast<uint32_t>(fd.get());
        attr.attach_type = BPF_CGROUP_DEVICE;
        if (sysBpf(BPF_PROG_DETACH, attr) < 0 && errno != ENOENT) {
            int err = errno;
            return errnoError("linux.resources.devices: detach old device filter from " + dir, err);
        }
    }
    return {};
}

}  // namespace lc::cgroups::devices
