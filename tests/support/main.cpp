// The test programs' main: GoogleTest's, after the same BLAS check as the ebm program (so a
// test measures what a user's run would).
#include <gtest/gtest.h>

#include "workflow/system_info.h"

int main(int argc, char** argv) {
  ebm::experiments::restart_if_blas_misjudged_the_cpu(argv);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
