// The experiment config schema: every key a config may hold, with its type, range, default
// and meaning. docs/CONFIG.md is the reader's version of this file.
#pragma once

#include "config/config.h"

namespace ebm::experiments {

const Field& experiment_schema();

}  // namespace ebm::experiments
