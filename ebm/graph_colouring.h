// A proper colouring of a graph's vertices, no edge joining two of one colour, by the greedy rule
// taken in order of decreasing degree (Welsh & Powell 1967): each vertex gets the smallest colour
// none of its coloured neighbours has. At most (largest degree + 1) colours, not always the
// fewest: two on a periodic lattice of even sides (the checkerboard), three on an odd cycle, N on
// the complete graph, four on a 3x3 torus (where three would do).
#pragma once

#include <torch/types.h>

namespace ebm {

// The colour (0, 1, ...) of each of `vertices` vertices given edges int64 [E, 2]: int64 [vertices].
torch::Tensor greedy_colouring(const torch::Tensor& edges, int64_t vertices);

}  // namespace ebm
