// An instant as a PostgreSQL timestamptz literal, passed as a text parameter and cast in SQL
// ($1::timestamptz): UTC, microseconds (what timestamptz keeps), so a value read back compares
// equal to the one written.
//
//   tx.exec_params("... WHERE created_at < $2::timestamptz", tenant, pg::Timestamp(cutoff));
#ifndef SPORTELLI_PG_TIME_H_
#define SPORTELLI_PG_TIME_H_

#include <string>

#include "absl/time/time.h"

namespace sportelli::pg {

// "2026-06-01 08:00:00.000000+00"
std::string Timestamp(absl::Time t);

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_TIME_H_
