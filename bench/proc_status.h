// What the watch scenario reads of the notifications process from /proc: its thread count and
// resident memory (/proc/<pid>/status), and the CPU time it used (/proc/<pid>/stat). Linux only;
// the parsers take the files' text, so they are unit-tested.
//
//   ASSIGN_OR_RETURN(ProcStatus status, ReadProcStatus(pid));   // status.threads, vm_rss_kib
//   ASSIGN_OR_RETURN(double cpu, ReadCpuSeconds(pid));          // user + system, seconds
#ifndef SPORTELLI_BENCH_PROC_STATUS_H_
#define SPORTELLI_BENCH_PROC_STATUS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sportelli::bench {

struct ProcStatus {
  int64_t threads = 0;
  int64_t vm_rss_kib = 0;
};

// The `Threads:` and `VmRSS:` lines of /proc/<pid>/status; INVALID_ARGUMENT if either is missing.
absl::StatusOr<ProcStatus> ParseProcStatus(absl::string_view text);
// utime + stime (fields 14 and 15, in clock ticks) of /proc/<pid>/stat. The command name (field
// 2, in parentheses) may hold spaces and parentheses: fields are counted after its last ')'.
absl::StatusOr<int64_t> ParseProcStatCpuTicks(absl::string_view text);

// The machine's CPU time (the `cpu` line of /proc/stat, in clock ticks): busy (everything but
// idle and iowait) and total. Whether the machine itself was saturated during a run.
struct MachineCpu {
  int64_t busy_ticks = 0;
  int64_t total_ticks = 0;
};
absl::StatusOr<MachineCpu> ParseMachineCpu(absl::string_view proc_stat);

absl::StatusOr<ProcStatus> ReadProcStatus(int pid);
absl::StatusOr<MachineCpu> ReadMachineCpu();
absl::StatusOr<double> ReadCpuSeconds(int pid);

// The median of `values` (the lower one of the middle two); 0 when empty. Several samples of
// RSS, so that one taken during a transient allocation does not make the figure.
int64_t Median(std::vector<int64_t> values);

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_PROC_STATUS_H_
