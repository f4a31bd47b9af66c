#include "sportelli/pg/time.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace sportelli::pg {

std::string Timestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone());
}

std::string Micros(absl::string_view column) {
  return absl::StrCat("(extract(epoch from ", column, ") * 1000000)::int8");
}

absl::Time TimeAt(const pqxx::field& micros) { return absl::FromUnixMicros(micros.as<int64_t>()); }

}  // namespace sportelli::pg
