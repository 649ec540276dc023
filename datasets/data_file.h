// Users' data files, one example per row, read as a [N, D] float64 matrix:
//   csv  numbers separated by commas (or whitespace), one example per line; a first line of
//        which no cell is a number is a header and is skipped; blank lines are skipped.
//   npy  NumPy's format (versions 1-3): little-endian float32, float64 or uint8, C or Fortran
//        order; arrays of more than two dimensions keep the first as examples and flatten the
//        rest ((N, 28, 28) images become 784-wide rows).
//   idx  LeCun et al.'s IDX format of unsigned bytes (MNIST's), likewise flattened. Byte
//        values are kept as 0..255.
// Any of them may be gzipped (io/gzip_input.h); "auto" looks through a final .gz.
// Every problem is an io::InputError naming the file and where: the line and column of a cell
// that is not a number or is NaN or infinite, a row of another length, the element index of a
// NaN in binary files, a shape that is not examples by features, a truncated file.
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

namespace ebm::datasets {

enum class FileFormat { Csv, Npy, Idx };

// "csv", "npy", "idx", "idx.gz" (the same as idx), or "auto": from the file's extension (.csv,
// .txt, .tsv, .npy, a name with idx in it, each with or without .gz; any other .gz is idx).
FileFormat file_format(const std::string& name, const std::string& path);
const std::vector<std::string>& file_format_names();  // what file_format accepts

struct DataFile {
  torch::Tensor rows;  // [N, D] float64
  bool bytes = false;  // stored as unsigned bytes (npy uint8, idx): scaling divides by 255
};
DataFile read_data_file(const std::string& path, FileFormat format);

}  // namespace ebm::datasets
