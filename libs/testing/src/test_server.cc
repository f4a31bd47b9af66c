#include "sportelli/testing/test_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace sportelli::testing {

server::ServerOptions TestServerOptions(std::string service_name, int threads) {
  server::ServerOptions options;
  options.service_name = std::move(service_name);
  options.listen_address = "127.0.0.1:0";
  options.metrics_address = "";
  options.threads = threads;
  options.shutdown_grace = absl::ZeroDuration();
  options.shutdown_deadline = absl::Seconds(1);
  return options;
}

std::shared_ptr<grpc::Channel> ChannelTo(const server::Server& server) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port()),
                             grpc::InsecureChannelCredentials());
}

}  // namespace sportelli::testing
