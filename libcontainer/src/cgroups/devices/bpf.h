// cgroup v2 device control: an eBPF BPF_PROG_TYPE_CGROUP_DEVICE program built from the rules
// (without libbpf) and attached to the cgroup directory with bpf(2).
#pragma once

#include <linux/bpf.h>

#include <span>
#include <string>
#include <vector>

#include "cgroups/devices/rules.h"
#include "libcontainer/error.h"

namespace lc::cgroups::devices {

// The program enforcing lastMatchAllows() for `rules` (see rules.h). It reads the
// bpf_cgroup_dev_ctx (access_type = access << 16 | type, major, minor), walks the rules from last
// to first clearing the requested access bits each allowing rule grants, returns 0 as soon as a
// matching deny rule names a still-pending bit, 1 once no bit is pending, and 0 at the end.
// Instruction subset: LDX W, ALU32 MOV/AND/RSH, ALU64 MOV imm, JMP32 JEQ/JNE imm, EXIT.
std::vector<bpf_insn> buildProgram(std::span<const Rule> rules);

// Loads `prog`, attaches it to the cgroup directory `cgroupFd` (BPF_CGROUP_DEVICE,
// BPF_F_ALLOW_MULTI), then detaches the device programs that were attached before, so that a
// new rule set replaces the old one without a window with no filter.
Result<void> attachProgram(int cgroupFd, std::span<const bpf_insn> prog, const std::string& dir);

}  // namespace lc::cgroups::devices
