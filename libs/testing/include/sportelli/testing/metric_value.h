// A counter's value as Prometheus would scrape it, read from the registry (tests only).
#ifndef SPORTELLI_TESTING_METRIC_VALUE_H_
#define SPORTELLI_TESTING_METRIC_VALUE_H_

#include <string>

#include "prometheus/registry.h"

namespace sportelli::testing {

// The sum of every series of the counter family `name`; 0 when it has none yet.
inline double CounterValue(prometheus::Registry& registry, const std::string& name) {
  double total = 0;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) total += metric.counter.value;
  }
  return total;
}

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_METRIC_VALUE_H_
