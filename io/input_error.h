// A user error in an input: a config, an override, a flag, a data file or a checkpoint. Its
// message names the input and what is wrong; the command line exits 2 on it (1 for failures of
// the work itself).
#pragma once

#include <stdexcept>

namespace ebm::io {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ebm::io
