// Writing a file so that readers only ever see the old version or the whole new one: the bytes
// go to PATH.tmp, are flushed to disk, and the temporary is renamed over PATH. When the write
// fails (a full disk, a file-size limit) the temporary is removed, PATH is left as it was, and
// std::runtime_error names the file and the reason.
#pragma once

#include <string>

namespace ebm::io {

void write_file_atomically(const std::string& path, const std::string& bytes);

// Appends one line (a newline is added) with a single write, so a crash leaves either the whole
// line or none of it; a failed append is truncated back. Throws std::runtime_error on failure.
void append_line(const std::string& path, const std::string& line);

}  // namespace ebm::io
