#include "bench/proc_status.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sportelli::bench {
namespace {

absl::StatusOr<std::string> Slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

absl::StatusOr<ProcStatus> ParseProcStatus(absl::string_view text) {
  ProcStatus status;
  bool threads = false;
  bool rss = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::string_view value = line;
    if (absl::ConsumePrefix(&value, "Threads:")) {
      threads = absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &status.threads);
    } else if (absl::ConsumePrefix(&value, "VmRSS:")) {
      value = absl::StripAsciiWhitespace(value);
      rss = absl::ConsumeSuffix(&value, "kB") &&
            absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &status.vm_rss_kib);
    }
  }
  if (!threads || !rss) {
    return absl::InvalidArgumentError("no Threads: or VmRSS: line in /proc/<pid>/status");
  }
  return status;
}

absl::StatusOr<int64_t> ParseProcStatCpuTicks(absl::string_view text) {
  const size_t paren = text.rfind(')');
  if (paren == absl::string_view::npos) {
    return absl::InvalidArgumentError("no command name in /proc/<pid>/stat");
  }
  // After the name: field 3 (state) is the first, so utime (14) and stime (15) are 12th and 13th.
  std::vector<absl::string_view> fields =
      absl::StrSplit(text.substr(paren + 1), ' ', absl::SkipWhitespace());
  int64_t utime = 0;
  int64_t stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::InvalidArgumentError("no utime and stime in /proc/<pid>/stat");
  }
  return utime + stime;
}

absl::StatusOr<MachineCpu> ParseMachineCpu(absl::string_view proc_stat) {
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (!absl::ConsumePrefix(&line, "cpu ")) continue;
    // user nice system idle iowait irq softirq steal [guest guest_nice: already in user, nice]
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    MachineCpu cpu;
    for (size_t i = 0; i < fields.size() && i < 8; ++i) {
      int64_t ticks = 0;
      if (!absl::SimpleAtoi(fields[i], &ticks)) break;
      cpu.total_ticks += ticks;
      if (i != 3 && i != 4) cpu.busy_ticks += ticks;
    }
    if (fields.size() < 8) break;
    return cpu;
  }
  return absl::InvalidArgumentError("no cpu line in /proc/stat");
}

absl::StatusOr<MachineCpu> ReadMachineCpu() {
  absl::StatusOr<std::string> text = Slurp("/proc/stat");
  if (!text.ok()) return text.status();
  return ParseMachineCpu(*text);
}

absl::StatusOr<ProcStatus> ReadProcStatus(int pid) {
  absl::StatusOr<std::string> text = Slurp(absl::StrCat("/proc/", pid, "/status"));
  if (!text.ok()) return text.status();
  return ParseProcStatus(*text);
}

absl::StatusOr<double> ReadCpuSeconds(int pid) {
  absl::StatusOr<std::string> text = Slurp(absl::StrCat("/proc/", pid, "/stat"));
  if (!text.ok()) return text.status();
  absl::StatusOr<int64_t> ticks = ParseProcStatCpuTicks(*text);
  if (!ticks.ok()) return ticks.status();
  return static_cast<double>(*ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int64_t Median(std::vector<int64_t> values) {
  if (values.empty()) return 0;
  const size_t middle = (values.size() - 1) / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle),
                   values.end());
  return values[middle];
}

}  // namespace sportelli::bench
