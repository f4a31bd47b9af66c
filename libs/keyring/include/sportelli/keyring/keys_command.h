// The `keys` subcommand of every service that seals personal data, for operators (each action
// runs per comune, as the runtime role, fenced by row-level security like the service itself):
//
//   sportelli-<service> keys rotate TENANT          a new data key version for new writes
//   sportelli-<service> keys rewrap TENANT          data keys under the KEK's newest version,
//                                                   citizen keys under the active data key, in
//                                                   batches of short transactions, until done
//   sportelli-<service> keys retire TENANT VERSION  deletes a data key nothing uses any more
//   sportelli-<service> keys shred-citizen TENANT CODICE_FISCALE
//                                                   erasure (GDPR art. 17): deletes the
//                                                   citizen's key, so every field sealed under
//                                                   it is unreadable from then on
//
// Environment: the service's database variables (SPORTELLI_PG_*), SPORTELLI_KEK_FILE and, for
// shred-citizen, SPORTELLI_SECRET_KEY_FILE (the blind index's key). docs/operations.md, "Keys".
#ifndef SPORTELLI_KEYRING_KEYS_COMMAND_H_
#define SPORTELLI_KEYRING_KEYS_COMMAND_H_

#include <string>

#include "sportelli/server/service_main.h"

namespace sportelli::keyring {

// `schema`: the service's schema, where its keys live.
server::Command KeysCommand(std::string schema);

}  // namespace sportelli::keyring

#endif  // SPORTELLI_KEYRING_KEYS_COMMAND_H_
