// Users' data files (CSV, .npy, IDX) and their preparation (scaling, binarising, held-out rows),
// against values written by hand, and every loader error named with its file and place.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>
#include <fstream>

#include "datasets/data_file.h"
#include "datasets/idx.h"
#include "datasets/preprocess.h"
#include "io/input_error.h"
#include "test_support.h"

namespace ebm::datasets {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_ebm;
using testing::write_text;

// A .npy file: magic, version 1.0 (2.0 for a header over 64 KiB, whose length takes four bytes),
// the header dict padded to 64 bytes, then the raw values.
void write_npy(const fs::path& path, const std::string& descr, const std::string& shape, const void* data, size_t bytes,
               bool fortran = false) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" + shape + "), }";
  const bool long_header = header.size() > 60000;
  const size_t preamble = long_header ? 12 : 10;
  while ((preamble + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write(long_header ? "\x93NUMPY\x02\x00" : "\x93NUMPY\x01\x00", 8);
  const auto length = static_cast<uint32_t>(header.size());
  for (size_t i = 0; i < preamble - 8; ++i) out.put(static_cast<char>((length >> (8 * i)) & 0xff));
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
}

std::string refusal(const std::string& path, FileFormat format) {
  try {
    read_data_file(path, format);
  } catch (const io::InputError& e) {
    return e.what();
  }
  return "(read without complaint)";
}

TEST(DataFiles, ReadsCsvWithAndWithoutAHeader) {
  const auto dir = testing::scratch_dir();
  write_text(dir / "h.csv", "x,y,z\n0,1.5,-2\n\n3e-1, 4 ,5\n");
  auto file = read_data_file((dir / "h.csv").string(), FileFormat::Csv);
  EXPECT_TRUE(torch::equal(file.rows, torch::tensor({{0.0, 1.5, -2.0}, {0.3, 4.0, 5.0}}, torch::kFloat64)));
  EXPECT_FALSE(file.bytes);
  write_text(dir / "plain.txt", "1 2\n\v \f\n3\t4\n");  // a line of only whitespace is blank
  EXPECT_TRUE(torch::equal(read_data_file((dir / "plain.txt").string(), file_format("auto", (dir / "plain.txt").string())).rows,
                           torch::tensor({{1.0, 2.0}, {3.0, 4.0}}, torch::kFloat64)));
}

TEST(DataFiles, CsvErrorsNameTheLineAndColumn) {
  const auto dir = testing::scratch_dir();
  const auto p = [&](const std::string& name, const std::string& text) {
    write_text(dir / name, text);
    return (dir / name).string();
  };
  auto path = p("word.csv", "a,b\n1,2\n3,four\n");
  EXPECT_EQ(refusal(path, FileFormat::Csv), path + ":3: column 2: 'four' is not a number");
  path = p("empty_cell.csv", "1,,2\n");
  EXPECT_EQ(refusal(path, FileFormat::Csv), path + ":1: column 2: '' is not a number");
  path = p("ragged.csv", "1,2,3\n4,5,6\n7,8\n");
  EXPECT_EQ(refusal(path, FileFormat::Csv), path + ":3: 2 values, but line 1 has 3");
  path = p("header_width.csv", "a,b\n1,2,3\n");
  EXPECT_EQ(refusal(path, FileFormat::Csv), path + ":2: 3 values, but line 1 has 2");
  path = p("nan.csv", "1,2\nnan,3\n");
  EXPECT_EQ(refusal(path, FileFormat::Csv), path + ":2: column 1: 'nan' is not a finite number");
  path = p("inf.csv", "1,-inf\n");
  EXPECT_EQ(refusal(path, FileFormat::Csv), path + ":1: column 2: '-inf' is not a finite number");
  // Bytes of a binary file are shown escaped, and a long cell cut short.
  path = p("binary.csv", std::string("1,2\n3,\x01\xfe") + std::string(60, 'z') + "\n");
  EXPECT_EQ(refusal(path, FileFormat::Csv), path + ":2: column 2: '\\x01\\xfe" + std::string(32, 'z') + "...' is not a number");
  path = p("header_only.csv", "a,b\n");
  EXPECT_EQ(refusal(path, FileFormat::Csv), "'" + path + "' holds no rows of numbers");
  EXPECT_EQ(refusal((dir / "missing.csv").string(), FileFormat::Csv), "cannot open '" + (dir / "missing.csv").string() + "'");
}

TEST(DataFiles, ReadsNpyFloatAndByteArraysInEitherOrder) {
  const auto dir = testing::scratch_dir();
  const float f4[6] = {1, 2, 3, 4, 5, 6};
  write_npy(dir / "f4.npy", "<f4", "2, 3", f4, sizeof f4);
  auto file = read_data_file((dir / "f4.npy").string(), FileFormat::Npy);
  EXPECT_TRUE(torch::equal(file.rows, torch::tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}, torch::kFloat64)));
  // Fortran order stores columns first: the same 2x3 matrix.
  const double f8[6] = {1, 4, 2, 5, 3, 6};
  write_npy(dir / "f8.npy", "<f8", "2, 3", f8, sizeof f8, /*fortran=*/true);
  EXPECT_TRUE(torch::equal(read_data_file((dir / "f8.npy").string(), FileFormat::Npy).rows, file.rows));
  // (2, 2, 2) bytes: two examples of four values each.
  const unsigned char u1[8] = {0, 1, 2, 3, 4, 5, 6, 255};
  write_npy(dir / "u1.npy", "|u1", "2, 2, 2", u1, sizeof u1);
  file = read_data_file((dir / "u1.npy").string(), file_format("auto", (dir / "u1.npy").string()));
  EXPECT_TRUE(file.bytes);
  EXPECT_TRUE(torch::equal(file.rows, torch::tensor({{0.0, 1.0, 2.0, 3.0}, {4.0, 5.0, 6.0, 255.0}}, torch::kFloat64)));
}

TEST(DataFiles, NpyErrorsNameTheFileAndElement) {
  const auto dir = testing::scratch_dir();
  const double with_nan[4] = {1, 2, std::nan(""), 4};
  write_npy(dir / "nan.npy", "<f8", "2, 2", with_nan, sizeof with_nan);
  const auto path = (dir / "nan.npy").string();
  EXPECT_EQ(refusal(path, FileFormat::Npy), "'" + path + "': row 1, column 0 (from 0) is nan");
  write_npy(dir / "vector.npy", "<f8", "4,", with_nan, sizeof with_nan);
  EXPECT_NE(refusal((dir / "vector.npy").string(), FileFormat::Npy).find("holds an array of shape (4,); data files need examples in rows"),
            std::string::npos);
  const int64_t ints[2] = {1, 2};
  write_npy(dir / "i8.npy", "<i8", "1, 2", ints, sizeof ints);
  EXPECT_NE(refusal((dir / "i8.npy").string(), FileFormat::Npy).find("holds '<i8' values; float32 (<f4), float64 (<f8) and uint8"),
            std::string::npos);
  write_npy(dir / "short.npy", "<f8", "3, 2", with_nan, sizeof with_nan);
  EXPECT_NE(refusal((dir / "short.npy").string(), FileFormat::Npy).find("is truncated: shape (3, 2) needs 48 bytes"), std::string::npos);
  write_npy(dir / "empty.npy", "<f8", "0, 3", with_nan, 0);
  EXPECT_NE(refusal((dir / "empty.npy").string(), FileFormat::Npy).find("holds an array of shape (0, 3): no values to read"),
            std::string::npos);
  // A long damaged header is refused, not parsed by recursion (std::regex overflowed the stack).
  write_npy(dir / "long.npy", "<" + std::string(300000, 'x'), "2, 2", with_nan, sizeof with_nan);
  EXPECT_NE(refusal((dir / "long.npy").string(), FileFormat::Npy).find("holds '<" + std::string(39, 'x') + "...' values"),
            std::string::npos);
  write_npy(dir / "huge_dim.npy", "<f8", "2, 99999999999999999999999", with_nan, sizeof with_nan);
  EXPECT_NE(refusal((dir / "huge_dim.npy").string(), FileFormat::Npy).find("declares a dimension over 2^40"), std::string::npos);
  write_text(dir / "text.npy", "1,2\n");
  EXPECT_NE(refusal((dir / "text.npy").string(), FileFormat::Npy).find("is not a NumPy .npy file"), std::string::npos);
}

// The bytes of a file.
std::string bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(DataFiles, ReadsIdxMatricesAndRefusesLabelFiles) {
  const auto dir = testing::scratch_dir();
  // An IDX2 matrix of 2 rows of 3 bytes, gzipped.
  const char matrix[] = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 10, 20, 30, 40, 50, 60};
  testing::write_gzipped(dir / "m.idx.gz", std::string(matrix, sizeof matrix));
  auto file = read_data_file((dir / "m.idx.gz").string(), file_format("auto", (dir / "m.idx.gz").string()));
  EXPECT_TRUE(file.bytes);
  EXPECT_TRUE(torch::equal(file.rows, torch::tensor({{10.0, 20.0, 30.0}, {40.0, 50.0, 60.0}}, torch::kFloat64)));
  const unsigned char no_rows[] = {0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 3};
  std::ofstream((dir / "empty-idx2-ubyte"), std::ios::binary).write(reinterpret_cast<const char*>(no_rows), sizeof no_rows);
  EXPECT_NE(refusal((dir / "empty-idx2-ubyte").string(), FileFormat::Idx).find("declares no rows"), std::string::npos);
  const unsigned char labels[] = {0, 0, 8, 1, 0, 0, 0, 2, 7, 3};
  std::ofstream((dir / "labels-idx1-ubyte"), std::ios::binary).write(reinterpret_cast<const char*>(labels), sizeof labels);
  EXPECT_NE(refusal((dir / "labels-idx1-ubyte").string(), FileFormat::Idx).find("one-dimensional IDX array (labels?)"),
            std::string::npos);
  try {
    file_format("auto", "data.bin");
    FAIL() << "an unknown extension was accepted";
  } catch (const io::InputError& e) {
    EXPECT_STREQ(e.what(), "cannot tell the format of 'data.bin' from its name; set data.format to csv, npy or idx");
  }
}

TEST(DataFiles, GzippedCsvAndNpyReadAsTheirPlainFilesAndDamageIsNamed) {
  const auto dir = testing::scratch_dir();
  // 4,000 rows of 8 values: about 200 KB of text, several of the reader's 64 KiB buffers.
  std::string csv = "a,b,c,d,e,f,g,h\n";
  for (int r = 0; r < 4000; ++r) {
    for (int c = 0; c < 8; ++c) csv += std::to_string(r * 8 + c) + "." + std::to_string(c) + (c < 7 ? "," : "\n");
  }
  write_text(dir / "x.csv", csv);
  testing::write_gzipped(dir / "x.csv.gz", csv);
  const auto plain = read_data_file((dir / "x.csv").string(), FileFormat::Csv).rows;
  ASSERT_EQ(plain.sizes(), (std::vector<int64_t>{4000, 8}));
  EXPECT_DOUBLE_EQ(plain[3999][7].item<double>(), 31999.7);
  const auto zipped = (dir / "x.csv.gz").string();
  EXPECT_TRUE(torch::equal(read_data_file(zipped, file_format("auto", zipped)).rows, plain));
  const float f4[6] = {1, 2, 3, 4, 5, 6};
  write_npy(dir / "f4.npy", "<f4", "2, 3", f4, sizeof f4);
  testing::write_gzipped(dir / "f4.npy.gz", bytes_of(dir / "f4.npy"));
  const auto npy = (dir / "f4.npy.gz").string();
  EXPECT_TRUE(torch::equal(read_data_file(npy, file_format("auto", npy)).rows,
                           read_data_file((dir / "f4.npy").string(), FileFormat::Npy).rows));
  EXPECT_EQ(file_format("auto", "images.gz"), FileFormat::Idx);  // MNIST's own files
  // A cut-off or corrupted gzip file is refused by name, never read as its first part.
  const std::string gz = bytes_of(dir / "x.csv.gz");
  write_text(dir / "cut.csv.gz", gz.substr(0, gz.size() / 2));
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 0x5a;  // the CRC-32 of the trailer's first four bytes
  write_text(dir / "crc.csv.gz", bad_crc);
  for (const std::string name : {"cut.csv.gz", "crc.csv.gz"}) {
    const auto path = (dir / name).string();
    EXPECT_EQ(refusal(path, FileFormat::Csv).rfind("'" + path + "' cannot be read: ", 0), 0u) << refusal(path, FileFormat::Csv);
    EXPECT_NE(refusal(path, FileFormat::Csv).find("(a damaged or truncated gzip file)"), std::string::npos);
  }
  testing::write_gzipped(dir / "cut.npy.gz", bytes_of(dir / "f4.npy"));
  const std::string npy_gz = bytes_of(dir / "cut.npy.gz");
  write_text(dir / "cut.npy.gz", npy_gz.substr(0, npy_gz.size() - 12));
  EXPECT_NE(refusal((dir / "cut.npy.gz").string(), FileFormat::Npy).find("damaged or truncated gzip"), std::string::npos);
}

// The probe's silent acceptances and hangs (issue 25): each now one message naming the file.
TEST(DataFiles, OnlyRegularFilesAreReadAndEveryByteMustBelongToTheData) {
  const auto dir = testing::scratch_dir();
  EXPECT_EQ(refusal("/dev/zero", FileFormat::Csv), "'/dev/zero' is a character device: data files must be regular files");
  EXPECT_EQ(refusal(dir.string(), FileFormat::Csv), "'" + dir.string() + "' is a directory: data files must be regular files");
  // A hexadecimal cell is not a number of a data file.
  write_text(dir / "hex.csv", "1,2\n0x1,3\n");
  EXPECT_EQ(refusal((dir / "hex.csv").string(), FileFormat::Csv), (dir / "hex.csv").string() + ":2: column 1: '0x1' is not a number");
  // A negative dimension is refused, not read as its digits.
  const float f4[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  write_npy(dir / "neg.npy", "<f4", "-2, 4", f4, sizeof f4);
  EXPECT_NE(refusal((dir / "neg.npy").string(), FileFormat::Npy).find("declares a negative dimension in its shape (-2, 4)"),
            std::string::npos);
  // Bytes after the declared data: .npy, IDX, and after a gzip stream.
  write_npy(dir / "long.npy", "<f4", "1, 4", f4, sizeof f4);
  EXPECT_NE(refusal((dir / "long.npy").string(), FileFormat::Npy).find("holds more bytes than its shape (1, 4) declares"),
            std::string::npos);
  const unsigned char matrix[] = {0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 2, 10, 20, 30};
  std::ofstream((dir / "long-idx2-ubyte"), std::ios::binary).write(reinterpret_cast<const char*>(matrix), sizeof matrix);
  EXPECT_NE(refusal((dir / "long-idx2-ubyte").string(), FileFormat::Idx).find("holds more bytes than its header declares"),
            std::string::npos);
  testing::write_gzipped(dir / "tail.csv.gz", "1,2\n3,4\n");
  write_text(dir / "tail.csv.gz", bytes_of(dir / "tail.csv.gz") + "garbage");
  EXPECT_NE(refusal((dir / "tail.csv.gz").string(), FileFormat::Csv).find("bytes that are not gzip data follow its gzip data"),
            std::string::npos);
  // Two gzip members are one file (gzip's own rule), read whole.
  testing::write_gzipped(dir / "a.gz", "1,2\n");
  testing::write_gzipped(dir / "b.gz", "3,4\n");
  write_text(dir / "two.csv.gz", bytes_of(dir / "a.gz") + bytes_of(dir / "b.gz"));
  EXPECT_TRUE(torch::equal(read_data_file((dir / "two.csv.gz").string(), FileFormat::Csv).rows,
                           torch::tensor({{1.0, 2.0}, {3.0, 4.0}}, torch::kFloat64)));
  // Through the command line, a device as the held-out file ends at once with exit 2.
  write_text(dir / "good.csv", "0,1\n1,0\n");
  auto r = run_ebm("train experiments/quickstart.yaml --set data.type=file --set data.path='" + (dir / "good.csv").string() +
                   "' --set data.held_out_path=/dev/zero --out '" + (dir / "run").string() + "'");
  testing::expect_refused(r, "--set data.held_out_path=/dev/zero: data.held_out_path: '/dev/zero' is a character device");
}

TEST(DataFiles, ScalesBinarisesAndSplits) {
  const auto x = torch::tensor({{2.0, 4.0}, {6.0, 10.0}}, torch::kFloat64);
  EXPECT_TRUE(torch::allclose(scale_to_unit(x, false, x), torch::tensor({{0.0, 0.25}, {0.5, 1.0}}, torch::kFloat64)));
  EXPECT_TRUE(torch::allclose(scale_to_unit(x, true, x), x / 255.0));
  const auto unit = torch::tensor({{0.2, 0.5}, {0.51, 1.0}}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(binarize(unit, Binarization::Threshold, 0.5, "u"), torch::tensor({{0.0, 0.0}, {1.0, 1.0}}, torch::kFloat64)));
  try {
    binarize(x, Binarization::Stochastic, 0.5, "x.csv");
    FAIL() << "values above 1 were binarised";
  } catch (const io::InputError& e) {
    EXPECT_STREQ(e.what(), "x.csv: binarising needs values in [0, 1], but row 0, column 0 (from 0) is 2.000000 "
                           "(data.scale: true maps the data to [0, 1])");
  }
  // Stochastic: Bernoulli(p) draws, fixed by the seed. 40,000 draws at p = 0.3: within 5 standard errors.
  const auto p = torch::full({200, 200}, 0.3, torch::kFloat64);
  torch::manual_seed(7);
  const auto a = binarize(p, Binarization::Stochastic, 0.5, "p");
  torch::manual_seed(7);
  EXPECT_TRUE(torch::equal(a, binarize(p, Binarization::Stochastic, 0.5, "p")));
  EXPECT_TRUE(((a == 0) | (a == 1)).all().item<bool>());
  EXPECT_NEAR(a.mean().item<double>(), 0.3, 5 * std::sqrt(0.3 * 0.7 / 40000));
  // Held out: the requested count, disjoint, each part in the file's order.
  const auto rows = torch::arange(10, torch::kFloat64).unsqueeze(1);
  auto [train, held] = split_held_out(rows, 3, "r");
  EXPECT_EQ(train.size(0), 7);
  EXPECT_EQ(held.size(0), 3);
  const auto all = std::get<0>(torch::cat({train, held}).squeeze(1).sort());
  EXPECT_TRUE(torch::equal(all, rows.squeeze(1)));
  EXPECT_TRUE(torch::equal(train, std::get<0>(train.sort(0))));
  EXPECT_THROW(split_held_out(rows, 10, "r"), io::InputError);
}

// Through a config: exit 2 and one message naming the key and the file.
TEST(DataFiles, ConfigsOfFileDataTrainOrAreRefusedWithTheFile) {
  const auto dir = testing::scratch_dir();
  write_text(dir / "bits.csv", "a,b,c\n0,1,0\n1,1,0\n0,0,1\n1,0,1\n0,1,1\n1,1,1\n");
  write_text(dir / "gray.csv", "0.1,0.9,0.4\n0.7,0.2,0.6\n0.3,0.8,0.5\n");
  write_text(dir / "two.csv", "0,1\n1,0\n");
  write_text(dir / "base.yaml",
             "threads: 1\ndata: {type: file}\nmodel: {type: bernoulli_rbm, hidden: 2}\ntrain: {steps: 4, log_every: 2}\n");
  const auto train = [&](const std::string& sets) {
    return run_ebm("train '" + (dir / "base.yaml").string() + "' --out '" + (dir / "run").string() + "' --force " + sets);
  };
  const std::string bits = (dir / "bits.csv").string(), gray = (dir / "gray.csv").string();
  auto r = train("--set data.path='" + bits + "' --set data.held_out=2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("on " + bits + " (4 examples)"), std::string::npos) << r.output;

  r = train("--set data.path='" + gray + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bernoulli_rbm models binary data; '" + gray + "' is continuous (data.binarize"), std::string::npos) << r.output;
  r = train("--set data.path='" + gray + "' --set data.binarize=threshold");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = train("--set data.path='" + gray + "' --set data.held_out_path='" + (dir / "two.csv").string() + "' --set data.binarize=stochastic");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("data.held_out_path: '" + (dir / "two.csv").string() + "' has rows of 2 values, but '" + gray + "' has 3"),
            std::string::npos) << r.output;
  r = train("--set data.path='" + (dir / "nowhere.csv").string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("data.path: cannot open '" + (dir / "nowhere.csv").string() + "'"), std::string::npos) << r.output;
  r = train("--set data.path='" + bits + "' --set data.held_out=6");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("holding out 6 rows leaves none of its 6 to train on"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "run2"));
}

// The MNIST layout, from a directory of small IDX files: binarised by threshold it trains a
// Bernoulli RBM; a directory without the files is named.
TEST(DataFiles, MnistLayoutReadsItsDirectoryAndBinarises) {
  const auto dir = testing::scratch_dir();
  fs::create_directories(dir / "digits");
  for (const auto& [name, count] : {std::pair<std::string, unsigned char>{"train-images-idx3-ubyte", 6}, {"t10k-images-idx3-ubyte", 3}}) {
    std::vector<unsigned char> bytes = {0, 0, 8, 3, 0, 0, 0, count, 0, 0, 0, 2, 0, 0, 0, 2};
    for (int i = 0; i < count * 4; ++i) bytes.push_back(static_cast<unsigned char>((i * 37) % 256));
    std::ofstream(dir / "digits" / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  auto data = mnist_layout("mnist", (dir / "digits").string(), 0, 0);
  EXPECT_EQ(data.size(), 6);
  EXPECT_EQ(data.dim(), 4);
  EXPECT_EQ(data.evaluation_split().size(), 3);
  EXPECT_DOUBLE_EQ(data.data()[1][0].item<double>(), (4 * 37 % 256) / 255.0);
  write_text(dir / "base.yaml", "threads: 1\ndata: {type: mnist, directory: '" + (dir / "digits").string() +
                                    "', binarize: threshold}\nmodel: {type: bernoulli_rbm, hidden: 2}\n"
                                    "objective: {type: contrastive, chain_source: persistent, chains: 3}\n"
                                    "train: {steps: 4, log_every: 2}\neval: {exact_ll: true}\n");
  auto r = run_ebm("train '" + (dir / "base.yaml").string() + "' --out '" + (dir / "run").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("on mnist (6 examples)"), std::string::npos) << r.output;
  // Image data: samples, the RBM's filters and its persistent chains as pictures.
  for (const char* picture : {"samples.png", "filters.png", "chains.png"}) EXPECT_TRUE(fs::exists(dir / "run" / picture)) << picture;
  r = run_ebm("train '" + (dir / "base.yaml").string() + "' --set data.directory=/no/such/dir --out '" + (dir / "run2").string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("data.directory: cannot open '/no/such/dir/train-images-idx3-ubyte.gz'"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace ebm::datasets
