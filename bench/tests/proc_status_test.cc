#include "bench/proc_status.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace sportelli::bench {
namespace {

TEST(ProcStatusTest, ReadsThreadsAndResidentMemory) {
  absl::StatusOr<ProcStatus> status = ParseProcStatus(
      "Name:\tsportelli-notif\nVmPeak:\t  912344 kB\nVmRSS:\t   48212 kB\nRssAnon:\t   30000 kB\n"
      "Threads:\t29\nSigQ:\t0/94701\n");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->threads, 29);
  EXPECT_EQ(status->vm_rss_kib, 48212);
}

TEST(ProcStatusTest, MissingLineIsAnError) {
  EXPECT_FALSE(ParseProcStatus("Name:\tx\nThreads:\t3\n").ok());
}

TEST(ProcStatCpuTicksTest, CountsFieldsAfterTheCommandName) {
  // A command name with a space and a parenthesis must not shift the fields.
  absl::StatusOr<int64_t> ticks = ParseProcStatCpuTicks(
      "4242 (odd) name) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 37 0 0 20 0 29 0 123 0 0");
  ASSERT_TRUE(ticks.ok()) << ticks.status();
  EXPECT_EQ(*ticks, 150 + 37);
  EXPECT_FALSE(ParseProcStatCpuTicks("4242 (x) S 1 2").ok());
}

TEST(ProcStatusTest, ReadsThisProcess) {
  absl::StatusOr<ProcStatus> status = ReadProcStatus(getpid());
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_GE(status->threads, 1);
  EXPECT_GT(status->vm_rss_kib, 0);
  EXPECT_TRUE(ReadCpuSeconds(getpid()).ok());
}

TEST(MachineCpuTest, BusyIsAllButIdleAndIowait) {
  absl::StatusOr<MachineCpu> cpu = ParseMachineCpu(
      "cpu  100 5 50 800 20 3 7 0 0 0\ncpu0 50 2 25 400 10 1 3 0 0 0\nintr 12345\n");
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  EXPECT_EQ(cpu->busy_ticks, 100 + 5 + 50 + 3 + 7);
  EXPECT_EQ(cpu->total_ticks, 100 + 5 + 50 + 800 + 20 + 3 + 7);
  EXPECT_FALSE(ParseMachineCpu("cpu0 1 2 3 4 5 6 7 8\n").ok());
}

TEST(MedianTest, LowerMiddleOfUnsortedSamples) {
  EXPECT_EQ(Median({}), 0);
  EXPECT_EQ(Median({7}), 7);
  EXPECT_EQ(Median({9, 1, 5}), 5);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2);
}

}  // namespace
}  // namespace sportelli::bench
