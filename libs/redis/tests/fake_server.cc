#include "fake_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace sportelli::redis::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::cerr << "fake server: " << what << " failed\n";
    std::abort();
  }
}

sockaddr_in Loopback(int port) {
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

int BoundSocket(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  Check(fd >= 0, "socket");
  sockaddr_in address = Loopback(0);
  Check(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0, "bind");
  socklen_t length = sizeof(address);
  Check(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0, "getsockname");
  *port = ntohs(address.sin_port);
  return fd;
}

}  // namespace

FakeServer::FakeServer(Behavior behavior) : behavior_(behavior) {
  listen_fd_ = BoundSocket(&port_);
  if (behavior_ == Behavior::kUnresponsiveListener) {
    // A backlog of 0 admits one pending connection; a few non-blocking connects fill the queue.
    Check(listen(listen_fd_, 0) == 0, "listen");
    for (int i = 0; i < 3; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      Check(fd >= 0, "socket");
      sockaddr_in address = Loopback(port_);
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));  // EINPROGRESS
      fillers_.push_back(fd);
    }
    return;
  }
  Check(listen(listen_fd_, 16) == 0, "listen");
  Check(pipe2(wake_fds_, O_CLOEXEC) == 0, "pipe");
  thread_ = std::thread([this] { Serve(); });
}

FakeServer::~FakeServer() {
  if (thread_.joinable()) {
    Check(write(wake_fds_[1], "x", 1) == 1, "wake");
    thread_.join();
  }
  for (int fd : fillers_) close(fd);
  for (int fd : wake_fds_) {
    if (fd >= 0) close(fd);
  }
  close(listen_fd_);
}

void FakeServer::Serve() {
  std::vector<int> clients;
  for (;;) {
    std::vector<pollfd> fds = {{wake_fds_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (int fd : clients) fds.push_back({fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) continue;
    if (fds[0].revents != 0) break;
    if (fds[1].revents & POLLIN) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        ++accepted_;
        clients.push_back(fd);
      }
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      const int fd = fds[i].fd;
      char buffer[64 * 1024];
      const ssize_t n = read(fd, buffer, sizeof(buffer));
      if (n > 0 && behavior_ == Behavior::kSilent) continue;
      if (n > 0 && behavior_ == Behavior::kAnswerOnceThenClose) {
        // Corked, the answer waits in the send queue and close() attaches the FIN to it.
        int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
        Check(write(fd, "+OK\r\n", 5) == 5, "write");
      }
      close(fd);
      std::erase(clients, fd);
    }
  }
  for (int fd : clients) close(fd);
}

int ClosedPort() {
  int port = 0;
  close(BoundSocket(&port));
  return port;
}

}  // namespace sportelli::redis::testing
