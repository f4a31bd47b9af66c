#include "sportelli/server/tls.h"

#include "grpcpp/security/server_credentials.h"

namespace sportelli::server {

std::optional<TlsFiles> ReadTlsFiles(config::EnvReader& env) {
  constexpr char kCert[] = "SPORTELLI_TLS_CERT_FILE";
  constexpr char kKey[] = "SPORTELLI_TLS_KEY_FILE";
  constexpr char kCa[] = "SPORTELLI_TLS_CA_FILE";
  const bool cert = env.IsSet(kCert), key = env.IsSet(kKey), ca = env.IsSet(kCa);
  if (!cert && !key && !ca) return std::nullopt;
  // FileContents records the missing ones as problems.
  TlsFiles files{env.FileContents(kCert), env.FileContents(kKey), env.FileContents(kCa)};
  return files;
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const TlsFiles& files) {
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = files.ca;
  options.pem_key_cert_pairs.push_back({files.private_key, files.certificate_chain});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const std::optional<TlsFiles>& files) {
  if (!files) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = files->ca;
  options.pem_private_key = files->private_key;
  options.pem_cert_chain = files->certificate_chain;
  return grpc::SslCredentials(options);
}

}  // namespace sportelli::server
