// Misbehaving TCP servers on loopback, for testing how RedisClient copes with peers that a
// real Redis cannot be made to imitate on demand: one that never answers, one that hangs up
// right after answering, and one whose accept queue is full so that connecting never
// completes.
//
//   FakeServer silent(FakeServer::Behavior::kSilent);
//   options.port = silent.port();   // commands time out
#ifndef SPORTELLI_REDIS_TESTS_FAKE_SERVER_H_
#define SPORTELLI_REDIS_TESTS_FAKE_SERVER_H_

#include <atomic>
#include <thread>
#include <vector>

namespace sportelli::redis::testing {

class FakeServer final {
 public:
  enum class Behavior {
    // Accepts connections and reads whatever arrives, never answering.
    kSilent,
    // Answers the first request of each connection with "+OK\r\n" and closes the connection;
    // the answer and the FIN travel in one segment, so the client has seen the close before it
    // can send anything else.
    kAnswerOnceThenClose,
    // Never accepts, with a full accept queue: the kernel drops new SYNs, so a connect()
    // neither succeeds nor fails until the client gives up.
    kUnresponsiveListener,
  };

  explicit FakeServer(Behavior behavior);
  ~FakeServer();

  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  int port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void Serve();

  const Behavior behavior_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};  // a pipe that tells Serve() to stop
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::vector<int> fillers_;  // connections that fill the accept queue
  std::thread thread_;
};

// A TCP port on 127.0.0.1 on which nothing listens (bound once, then released).
int ClosedPort();

}  // namespace sportelli::redis::testing

#endif  // SPORTELLI_REDIS_TESTS_FAKE_SERVER_H_
