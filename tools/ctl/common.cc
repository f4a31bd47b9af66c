#include "tools/ctl/common.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/server/deadline.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/grpc_status.h"

namespace sportelli::ctl {

namespace {

constexpr absl::Duration kDeadline = absl::Seconds(10);

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::StatusOr<std::string> Mint(const Context& context, const std::string& tenant,
                                 const std::vector<std::string>& roles, const std::string& subject,
                                 absl::Duration ttl, const std::string& destination) {
  if (context.private_key_file.empty()) {
    return absl::FailedPreconditionError(
        "no token: set SPORTELLI_TOKEN, or SPORTELLI_JWT_PRIVATE_KEY_FILE to mint one (scripts/up "
        "does)");
  }
  absl::StatusOr<std::string> key = ReadFile(context.private_key_file);
  if (!key.ok()) return key.status();
  absl::StatusOr<auth::TokenSigner> signer =
      auth::TokenSigner::Create(*key, context.issuer, context.audience);
  if (!signer.ok()) return signer.status();
  auth::MintOptions options;
  options.subject = subject;
  options.tenant = tenant;
  options.roles = roles;
  options.ttl = ttl;
  options.destination = destination;
  return signer->Mint(options);
}

// The token for a call: the given one, or a short-lived one minted with the dev key.
absl::StatusOr<std::string> TokenFor(const Context& context, const std::string& tenant,
                                     const std::vector<std::string>& roles) {
  if (!context.token.empty()) return context.token;
  return Mint(context, tenant, roles, "sportelli-ctl", absl::Minutes(5));
}

void Prepare(grpc::ClientContext& call, const std::string& token) {
  call.set_deadline(server::DeadlineAfter(kDeadline));
  call.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

int Fail(const absl::Status& status) {
  std::cerr << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message();
  if (std::optional<std::string> reason = status::ReasonOf(status))
    std::cerr << " [" << *reason << "]";
  std::cerr << "\n";
  for (const auto& [field, description] : status::FieldViolationsOf(status)) {
    std::cerr << "  " << field << ": " << description << "\n";
  }
  return 1;
}

int Fail(const grpc::Status& status) { return Fail(status::FromGrpcStatus(status)); }

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::set<std::string>& value_flags,
                                     const std::set<std::string>& switch_flags) {
  ParsedArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].rfind("--", 0) != 0) {
      parsed.positional.push_back(args[i]);
      continue;
    }
    const std::string name = args[i].substr(2);
    if (switch_flags.count(name)) {
      parsed.switches.insert(name);
    } else if (value_flags.count(name)) {
      // `--given-name --family-name X` is a forgotten value, not a name starting with "--".
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) {
        return absl::InvalidArgumentError(absl::StrCat(args[i], " needs a value"));
      }
      parsed.flags[name] = args[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown option ", args[i]));
    }
  }
  return parsed;
}

// The tenant id of `tenants/{tenant}/...`, or "" (the call then fails with the server's message).
std::string TenantOf(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  return parts.size() > 1 && parts[0] == "tenants" ? parts[1] : "";
}

absl::StatusOr<absl::TimeZone> LocalZone() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(kLocalZone, &zone)) {
    return absl::FailedPreconditionError(
        absl::StrCat("time zone ", kLocalZone, " is not installed (tzdata)"));
  }
  return zone;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

// A random (version 4) UUID for AIP-155 request ids, from the kernel's CSPRNG: a guessable or
// repeating id would let one request be answered with another's result.
absl::StatusOr<std::string> NewRequestId() {
  unsigned char bytes[16];
  size_t filled = 0;
  while (filled < sizeof bytes) {
    const ssize_t got = getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("getrandom: ", std::strerror(errno)));
    }
    filled += static_cast<size_t>(got);
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string id;
  for (size_t i = 0; i < sizeof bytes; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id.push_back('-');
    absl::StrAppendFormat(&id, "%02x", bytes[i]);
  }
  return id;
}

// --request-id as given, or a new one: a retry with the printed id gets the first result.
absl::StatusOr<std::string> RequestIdOf(std::map<std::string, std::string>& flags) {
  if (flags.count("request-id")) return flags["request-id"];
  return NewRequestId();
}

std::unique_ptr<intake_v1::IntakeService::Stub> IntakeStub(const Context& context) {
  return intake_v1::IntakeService::NewStub(
      grpc::CreateChannel(context.intake_address, grpc::InsecureChannelCredentials()));
}

std::string KebabName(const std::string& name, absl::string_view prefix) {
  std::string kebab(absl::StripPrefix(name, prefix));
  for (char& c : kebab) {
    c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return kebab;
}

}  // namespace sportelli::ctl
