// A counter's value as Prometheus would scrape it, read from the registry (tests only).
#ifndef SPORTELLI_TESTING_METRIC_VALUE_H_
#define SPORTELLI_TESTING_METRIC_VALUE_H_

#include <map>
#include <string>

#include "prometheus/registry.h"

namespace sportelli::testing {

// The sum of the series of the counter family `name` that carry every label of `labels` (all
// of them when it is empty); 0 when there are none yet.
inline double CounterValue(prometheus::Registry& registry, const std::string& name,
                           const std::map<std::string, std::string>& labels = {}) {
  double total = 0;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      size_t matched = 0;
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        auto wanted = labels.find(label.name);
        if (wanted != labels.end() && wanted->second == label.value) ++matched;
      }
      if (matched == labels.size()) total += metric.counter.value;
    }
  }
  return total;
}

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_METRIC_VALUE_H_
