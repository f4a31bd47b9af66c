#include "sportelli/testing/port_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "sportelli/clock/stopwatch.h"

namespace sportelli::testing {

absl::StatusOr<std::unique_ptr<PortServer>> PortServer::Start(std::vector<std::string> args,
                                                              absl::Duration startup) {
  if (args.empty()) return absl::InvalidArgumentError("no program");
  int stdin_pipe[2];
  int stdout_pipe[2];
  if (pipe2(stdin_pipe, O_CLOEXEC) != 0) return absl::InternalError("pipe2");
  if (pipe2(stdout_pipe, O_CLOEXEC) != 0) {
    close(stdin_pipe[0]);
    close(stdin_pipe[1]);
    return absl::InternalError("pipe2");
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork");
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(stdin_pipe[0], STDIN_FILENO);
    dup2(stdout_pipe[1], STDOUT_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(stdin_pipe[0]);
  close(stdout_pipe[1]);
  auto server = std::unique_ptr<PortServer>(new PortServer(pid, stdin_pipe[1], stdout_pipe[0]));

  std::string line;
  const clock::Stopwatch waited;
  while (!absl::StrContains(line, "\n")) {
    const int64_t left = absl::ToInt64Milliseconds(startup - waited.Elapsed());
    pollfd readable{server->stdout_, POLLIN, 0};
    if (left <= 0 || poll(&readable, 1, static_cast<int>(left)) <= 0) {
      return absl::DeadlineExceededError(
          absl::StrCat(args[0], " ", args.size() > 1 ? args[1] : "", " printed no port in time"));
    }
    char buffer[64];
    const ssize_t n = read(server->stdout_, buffer, sizeof buffer);
    if (n <= 0)
      return absl::UnavailableError(absl::StrCat(args.back(), "... exited before listening"));
    line.append(buffer, static_cast<size_t>(n));
  }
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &server->port_)) {
    return absl::InternalError(absl::StrCat("the server printed ", line, " for its port"));
  }
  return server;
}

PortServer::~PortServer() {
  close(stdin_);  // the server's signal to leave
  kill(pid_, SIGTERM);
  int status;
  for (int i = 0; i < 500; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      close(stdout_);
      return;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  ADD_FAILURE() << "a test server ignored SIGTERM for 5 s";
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  close(stdout_);
}

}  // namespace sportelli::testing
