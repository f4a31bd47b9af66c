// A test server run as a child process that prints the port it listens on as the first line of
// its stdout (the SMTP sink, the fake SMS provider). Its stdin is a pipe only this object
// writes to, so a well-behaved server exits when the object, or the whole test process, goes;
// PR_SET_PDEATHSIG covers a crash of the test.
//
//   ASSERT_OK_AND_ASSIGN(auto sink, PortServer::Start({"/usr/bin/python3", SMTP_SINK, "--port",
//                                                      "0"}));
//   Connect(absl::StrCat("127.0.0.1:", sink->port()));
#ifndef SPORTELLI_TESTING_PORT_SERVER_H_
#define SPORTELLI_TESTING_PORT_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sportelli::testing {

class PortServer {
 public:
  // Runs `argv` (argv[0] an absolute path) and waits up to `startup` for its port.
  static absl::StatusOr<std::unique_ptr<PortServer>> Start(
      std::vector<std::string> argv, absl::Duration startup = absl::Seconds(15));

  PortServer(const PortServer&) = delete;
  PortServer& operator=(const PortServer&) = delete;
  // Closes its stdin, sends SIGTERM and waits up to 5 s, then SIGKILL (a test failure).
  ~PortServer();

  int port() const { return port_; }

 private:
  PortServer(pid_t pid, int stdin_fd, int stdout_fd)
      : pid_(pid), stdin_(stdin_fd), stdout_(stdout_fd) {}

  const pid_t pid_;
  const int stdin_;
  const int stdout_;
  int port_ = 0;
};

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_PORT_SERVER_H_
