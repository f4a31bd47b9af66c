#include "sportelli/pg/time.h"

namespace sportelli::pg {

std::string Timestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone());
}

}  // namespace sportelli::pg
