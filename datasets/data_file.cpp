#include "datasets/data_file.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "datasets/idx.h"
#include "io/gzip_input.h"
#include "io/input_error.h"

namespace ebm::datasets {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Splits a CSV line at commas, or at runs of whitespace when it has no comma.
std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  const bool commas = line.find(',') != std::string::npos;
  std::string cell;
  auto flush = [&] {
    const auto b = cell.find_first_not_of(" \t\r\v\f"), e = cell.find_last_not_of(" \t\r\v\f");
    cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    cell.clear();
  };
  for (char ch : line) {
    if (commas ? ch == ',' : std::isspace(static_cast<unsigned char>(ch)) != 0) {
      if (commas || !cell.empty()) flush();
    } else {
      cell += ch;
    }
  }
  if (commas || !cell.empty()) flush();
  return cells;
}

// Text from a file as an error message shows it: bytes that are not printable ASCII as \xHH,
// and about 40 characters at most (a binary file read as CSV has cells of any length and bytes).
std::string shown(const std::string& text) {
  std::string out;
  size_t i = 0;
  for (; i < text.size() && out.size() < 40; ++i) {
    const auto ch = static_cast<unsigned char>(text[i]);
    if (ch >= 0x20 && ch < 0x7f) {
      out += static_cast<char>(ch);
    } else {
      static const char* const hex = "0123456789abcdef";
      out += std::string("\\x") + hex[ch >> 4] + hex[ch & 15];
    }
  }
  return i < text.size() ? out + "..." : out;
}

// A decimal number (strtod also reads hexadecimal, "0x1", which no data file means).
bool parse_number(const std::string& cell, double& value) {
  if (cell.empty() || cell.find_first_of("xX") != std::string::npos) return false;
  errno = 0;
  char* end = nullptr;
  value = std::strtod(cell.c_str(), &end);
  return end == cell.c_str() + cell.size() && errno != ERANGE;
}

DataFile read_csv(const std::string& path) {
  io::GzipInputStream in(path);
  if (!in.is_open()) throw io::InputError("cannot open '" + path + "'");
  std::vector<double> values;
  int64_t width = -1, rows = 0, width_line = 0, number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const auto cells = cells_of(line);
    if (cells.empty()) continue;  // a blank line (only whitespace, \v and \f included)
    std::vector<double> row(cells.size());
    size_t numbers = 0, bad = cells.size();
    for (size_t i = 0; i < cells.size(); ++i) {
      if (parse_number(cells[i], row[i])) {
        ++numbers;
      } else if (bad == cells.size()) {
        bad = i;
      }
    }
    if (numbers < cells.size()) {
      if (rows == 0 && width < 0 && numbers == 0) {  // a header
        width = static_cast<int64_t>(cells.size());
        width_line = number;
        continue;
      }
      throw io::InputError(path + ":" + std::to_string(number) + ": column " + std::to_string(bad + 1) + ": '" +
                           shown(cells[bad]) + "' is not a number");
    }
    for (size_t i = 0; i < row.size(); ++i) {
      if (!std::isfinite(row[i])) {
        throw io::InputError(path + ":" + std::to_string(number) + ": column " + std::to_string(i + 1) + ": '" + shown(cells[i]) +
                             "' is not a finite number");
      }
    }
    if (width >= 0 && static_cast<int64_t>(row.size()) != width) {
      throw io::InputError(path + ":" + std::to_string(number) + ": " + std::to_string(row.size()) + " values, but line " +
                           std::to_string(width_line) + " has " + std::to_string(width));
    }
    width = static_cast<int64_t>(row.size());
    if (width_line == 0) width_line = number;
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  if (rows == 0) throw io::InputError("'" + path + "' holds no rows of numbers");
  return {torch::tensor(values, torch::kFloat64).reshape({rows, width}), false};
}

// The text of a key's value in a .npy header, a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }: after 'key', optional spaces, a
// colon and optional spaces, the text between open and close (open 0: from there on, to close
// or the end). None if the key or the value's delimiters are missing. A plain scan: std::regex
// recurses once per character and overflowed the stack on a long damaged header.
std::optional<std::string> npy_header_value(const std::string& header, const std::string& key, char open, char close) {
  auto at = header.find("'" + key + "'");
  if (at == std::string::npos) return std::nullopt;
  at = header.find_first_not_of(" \t", at + key.size() + 2);
  if (at == std::string::npos || header[at] != ':') return std::nullopt;
  at = header.find_first_not_of(" \t", at + 1);
  if (at == std::string::npos) return std::nullopt;
  if (open != 0) {
    if (header[at] != open) return std::nullopt;
    ++at;
  }
  const auto end = header.find(close, at);
  if (end == std::string::npos && open != 0) return std::nullopt;
  return header.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// NumPy's format: "\x93NUMPY", major and minor version, the header's length (2 bytes in
// version 1, 4 in 2 and 3, little-endian), a Python dict literal with descr, fortran_order and
// shape, then the data.
DataFile read_npy(const std::string& path) {
  io::GzipInputStream in(path);
  if (!in.is_open()) throw io::InputError("cannot open '" + path + "'");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    throw io::InputError("'" + path + "' is not a NumPy .npy file (no \\x93NUMPY magic)");
  }
  const int major = static_cast<unsigned char>(magic[6]);
  if (major < 1 || major > 3) throw io::InputError("'" + path + "': .npy format version " + std::to_string(major) + " is not known");
  unsigned char len[4] = {0, 0, 0, 0};
  if (!in.read(reinterpret_cast<char*>(len), major == 1 ? 2 : 4)) throw io::InputError("'" + path + "' is truncated in its header");
  const uint32_t header_length = len[0] | (len[1] << 8) | (len[2] << 16) | (uint32_t{len[3]} << 24);
  if (header_length > (1u << 20)) throw io::InputError("'" + path + "' declares a header of " + std::to_string(header_length) + " bytes");
  std::string header(header_length, '\0');
  if (!in.read(header.data(), header_length)) throw io::InputError("'" + path + "' is truncated in its header");

  const auto descr_text = npy_header_value(header, "descr", '\'', '\'');
  if (!descr_text) throw io::InputError("'" + path + "': its header has no 'descr'");
  const std::string& descr = *descr_text;
  const auto order = npy_header_value(header, "fortran_order", 0, ',');
  const bool fortran = order && order->compare(0, 4, "True") == 0;
  const auto dims_text = npy_header_value(header, "shape", '(', ')');
  if (!dims_text) throw io::InputError("'" + path + "': its header has no 'shape'");
  const std::string& dims = *dims_text;
  std::vector<int64_t> shape;
  for (size_t i = 0; i < dims.size();) {
    if (dims[i] == '-') throw io::InputError("'" + path + "' declares a negative dimension in its shape (" + shown(dims) + ")");
    if (!std::isdigit(static_cast<unsigned char>(dims[i]))) {
      ++i;
      continue;
    }
    int64_t size = 0;
    for (; i < dims.size() && std::isdigit(static_cast<unsigned char>(dims[i])); ++i) {
      if (size > (int64_t{1} << 40)) throw io::InputError("'" + path + "' declares a dimension over 2^40");
      size = size * 10 + (dims[i] - '0');
    }
    shape.push_back(size);
  }
  if (shape.size() < 2) {
    throw io::InputError("'" + path + "' holds an array of shape (" + dims + "); data files need examples in rows (2 or more dimensions)");
  }
  torch::Dtype dtype;
  int64_t item = 0;
  if (descr == "<f4") {
    dtype = torch::kFloat32, item = 4;
  } else if (descr == "<f8") {
    dtype = torch::kFloat64, item = 8;
  } else if (descr == "|u1" || descr == "<u1") {
    dtype = torch::kUInt8, item = 1;
  } else {
    throw io::InputError("'" + path + "' holds '" + shown(descr) + "' values; float32 (<f4), float64 (<f8) and uint8 (|u1) are read");
  }
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) {
    throw io::InputError("'" + path + "' holds an array of shape (" + dims + "): no values to read");
  }
  int64_t count = 1;
  for (int64_t s : shape) {
    if (s > 0 && count > (int64_t{1} << 40) / s) throw io::InputError("'" + path + "' declares more than 2^40 values");
    count *= s;
  }
  std::vector<char> bytes;
  const int64_t total = count * item;
  bytes.reserve(static_cast<size_t>(std::min<int64_t>(total, int64_t{64} << 20)));
  for (int64_t done = 0; done < total;) {  // grown in chunks: a header cannot force one huge allocation
    const int64_t chunk = std::min<int64_t>(total - done, int64_t{16} << 20);
    bytes.resize(static_cast<size_t>(done + chunk));
    if (!in.read(bytes.data() + done, chunk)) {
      throw io::InputError("'" + path + "' is truncated: shape (" + dims + ") needs " + std::to_string(total) + " bytes of data");
    }
    done += chunk;
  }
  if (in.peek() != std::char_traits<char>::eof()) {
    throw io::InputError("'" + path + "' holds more bytes than its shape (" + dims + ") declares: a damaged or concatenated file");
  }
  // Fortran order stores the transpose: read it reversed and reverse the axes back.
  std::vector<int64_t> stored = shape, axes(shape.size());
  for (size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<int64_t>(fortran ? axes.size() - 1 - i : i);
  if (fortran) std::reverse(stored.begin(), stored.end());
  auto array = torch::from_blob(bytes.data(), stored, dtype).to(torch::kFloat64).permute(axes).reshape({shape[0], -1}).contiguous();
  const auto finite = torch::isfinite(array);
  if (!finite.all().item<bool>()) {
    const auto where = torch::nonzero(~finite)[0];
    throw io::InputError("'" + path + "': row " + std::to_string(where[0].item<int64_t>()) + ", column " +
                         std::to_string(where[1].item<int64_t>()) + " (from 0) is " +
                         std::to_string(array[where[0]][where[1]].item<double>()));
  }
  return {array, dtype == torch::kUInt8};
}

}  // namespace

const std::vector<std::string>& file_format_names() {
  static const std::vector<std::string> names = {"auto", "csv", "npy", "idx", "idx.gz"};
  return names;
}

FileFormat file_format(const std::string& name, const std::string& path) {
  if (name == "csv") return FileFormat::Csv;
  if (name == "npy") return FileFormat::Npy;
  if (name == "idx" || name == "idx.gz") return FileFormat::Idx;
  const std::string plain = ends_with(path, ".gz") ? path.substr(0, path.size() - 3) : path;  // every format may be gzipped
  if (ends_with(plain, ".csv") || ends_with(plain, ".txt") || ends_with(plain, ".tsv")) return FileFormat::Csv;
  if (ends_with(plain, ".npy")) return FileFormat::Npy;
  if (plain != path || path.find("idx") != std::string::npos) return FileFormat::Idx;  // MNIST's names: *-idx3-ubyte(.gz)
  throw io::InputError("cannot tell the format of '" + path + "' from its name; set data.format to csv, npy or idx");
}

DataFile read_data_file(const std::string& path, FileFormat format) {
  switch (format) {
    case FileFormat::Csv: return read_csv(path);
    case FileFormat::Npy: return read_npy(path);
    case FileFormat::Idx: return {read_idx(path), true};
  }
  throw std::logic_error("unknown file format");
}

}  // namespace ebm::datasets
