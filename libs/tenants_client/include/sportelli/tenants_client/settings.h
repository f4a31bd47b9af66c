// How a service reaches the tenants directory, read from the environment the same way by every
// service that calls tenants:
//   SPORTELLI_TENANTS_ADDR [127.0.0.1:8080], SPORTELLI_TENANTS_DEADLINE [1s, 10ms-30s],
//   SPORTELLI_TENANTS_CACHE_TTL [30s, 0-1h].
//
//   const tenants_client::DirectorySettings tenants = tenants_client::ReadDirectorySettings(env);
//   GrpcDirectory directory(kit.ChannelTo(tenants.address), tenants.options, &kit.clock());
#ifndef SPORTELLI_TENANTS_CLIENT_SETTINGS_H_
#define SPORTELLI_TENANTS_CLIENT_SETTINGS_H_

#include <string>

#include "sportelli/config/env_reader.h"
#include "sportelli/tenants_client/grpc_directory.h"

namespace sportelli::tenants_client {

struct DirectorySettings {
  std::string address;  // host:port of sportelli-tenants
  DirectoryOptions options;
};

// Problems are recorded on `env`.
DirectorySettings ReadDirectorySettings(config::EnvReader& env);

}  // namespace sportelli::tenants_client

#endif  // SPORTELLI_TENANTS_CLIENT_SETTINGS_H_
