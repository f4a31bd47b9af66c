// A service's gRPC server as the service tests run it, and a channel to it:
//
//   server_ = std::make_unique<server::Server>(
//       sportelli::testing::TestServerOptions("sportelli.intake.v1.IntakeService", 32), &logger_,
//       registry_);
//   server_->AddService(service_.get());
//   ASSERT_OK(server_->Start());
//   stub_ = v1::IntakeService::NewStub(sportelli::testing::ChannelTo(*server_));
#ifndef SPORTELLI_TESTING_TEST_SERVER_H_
#define SPORTELLI_TESTING_TEST_SERVER_H_

#include <memory>
#include <string>

#include "grpcpp/channel.h"
#include "sportelli/server/server.h"

namespace sportelli::testing {

// Localhost on a free port, no metrics port, and no grace at shutdown (a test's server stops
// at once); `threads` as the test's concurrency needs.
server::ServerOptions TestServerOptions(std::string service_name, int threads = 8);

// A plaintext channel to a started server.
std::shared_ptr<grpc::Channel> ChannelTo(const server::Server& server);

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_TEST_SERVER_H_
