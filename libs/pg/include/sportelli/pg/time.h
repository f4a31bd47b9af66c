// Instants to and from PostgreSQL's timestamptz, at its microsecond precision, so a value read
// back compares equal to the one written. Written as a text parameter cast in SQL; read as
// microseconds since the epoch (no text parsing):
//
//   tx.exec_params("... WHERE created_at < $2::timestamptz", tenant, pg::Timestamp(cutoff));
//   const pqxx::result rows = tx.exec_params(
//       absl::StrCat("SELECT ", pg::Micros("created_at"), " FROM ..."));
//   const absl::Time created = pg::TimeAt(rows[0][0]);
#ifndef SPORTELLI_PG_TIME_H_
#define SPORTELLI_PG_TIME_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pqxx/pqxx"

namespace sportelli::pg {

// "2026-06-01 08:00:00.000000+00"
std::string Timestamp(absl::Time t);

// The SQL expression selecting `column` (a timestamptz) as int8 microseconds since the epoch.
std::string Micros(absl::string_view column);

// A field selected with Micros().
absl::Time TimeAt(const pqxx::field& micros);

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_TIME_H_
