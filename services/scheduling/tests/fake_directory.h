// The scheduling tests' names for the shared fake of the tenants directory
// (libs/tenants_client/testing/fake_directory.h).
#ifndef SPORTELLI_SERVICES_SCHEDULING_TESTS_FAKE_DIRECTORY_H_
#define SPORTELLI_SERVICES_SCHEDULING_TESTS_FAKE_DIRECTORY_H_

#include "sportelli/tenants_client/fake_directory.h"

namespace sportelli::scheduling::testing {

using tenants_client::testing::FakeDirectory;
using tenants_client::testing::Rome;

}  // namespace sportelli::scheduling::testing

#endif  // SPORTELLI_SERVICES_SCHEDULING_TESTS_FAKE_DIRECTORY_H_
