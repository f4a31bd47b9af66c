// `sportelli-scheduling seal-existing TENANT...`: seals, in batches of short transactions while
// the service runs, the citizens of appointments booked before their fields were encrypted
// (migrations/V004__sealed_citizen.sql). Safe to run again and concurrently with the service;
// reports how many rows it sealed per comune. Needs the database variables and SPORTELLI_KEK_FILE.
#ifndef SPORTELLI_SERVICES_SCHEDULING_SEAL_EXISTING_H_
#define SPORTELLI_SERVICES_SCHEDULING_SEAL_EXISTING_H_

#include <string>
#include <vector>

#include "sportelli/logging/logger.h"

namespace sportelli::scheduling {

int SealExisting(logging::Logger& log, const std::vector<std::string>& tenants);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_SEAL_EXISTING_H_
