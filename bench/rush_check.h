// The rush scenario's ground truth: how many live (not cancelled) appointments PostgreSQL holds
// at each chosen slot's desk and start time, read before and after the rush. The client's view
// (status codes) cannot prove there was no overbooking; only the database can.
//
//   ASSIGN_OR_RETURN(std::vector<int64_t> before, CountLiveAppointments(dsn, slots));
//   ... rush ...
//   ASSIGN_OR_RETURN(std::vector<int64_t> after, CountLiveAppointments(dsn, slots));
//   RushOutcome outcome = CompareRush(capacities, attempts, before, after);
#ifndef SPORTELLI_BENCH_RUSH_CHECK_H_
#define SPORTELLI_BENCH_RUSH_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/workload_data.h"

namespace sportelli::bench {

// One count per slot, in order. `dsn` is a libpq connection string of a role that may read the
// appointments (the scheduling role, or a superuser); the tenant of each slot is set as
// app.tenant_id for its query, so row-level security lets the scheduling role see its rows.
// UNAVAILABLE on any database error.
absl::StatusOr<std::vector<int64_t>> CountLiveAppointments(const std::string& dsn,
                                                           const std::vector<SlotRef>& slots);

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_RUSH_CHECK_H_
