// TLS with mutual authentication, for every server and every service-to-service client: one
// certificate per service (its own key, signed by the deployment's CA), used both to serve and
// to call the others. A server configured with it accepts only clients whose certificate the
// same CA signed; a client verifies the server's certificate against that CA and its name.
//
//   SPORTELLI_TLS_CERT_FILE  the service's certificate chain (PEM)
//   SPORTELLI_TLS_KEY_FILE   its private key (PEM)
//   SPORTELLI_TLS_CA_FILE    the CA that signs every service's (and the ingress') certificate
//
// All three or none: none means plaintext (development, tests). Files are read at start.
//
//   ServerOptions options = ReadServerOptions(env, ...);   // credentials from the files
//   std::optional<TlsFiles> tls = ReadTlsFiles(env);
//   auto channel = grpc::CreateCustomChannel(address, ChannelCredentials(tls), args);
#ifndef SPORTELLI_SERVER_TLS_H_
#define SPORTELLI_SERVER_TLS_H_

#include <memory>
#include <optional>
#include <string>

#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "sportelli/config/env_reader.h"

namespace sportelli::server {

struct TlsFiles {
  std::string certificate_chain;
  std::string private_key;
  std::string ca;
};

// The three files' contents, or nullopt when none is set. One or two set, or a file that
// cannot be read, is a configuration problem recorded on `env`.
std::optional<TlsFiles> ReadTlsFiles(config::EnvReader& env);

// A server that requires and verifies client certificates.
std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const TlsFiles& files);

// Credentials to call another service: TLS with this service's certificate when `files` is
// set, plaintext otherwise.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const std::optional<TlsFiles>& files);

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_TLS_H_
