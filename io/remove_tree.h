// Deleting a directory and everything under it, without std::filesystem::remove_all.
//
// PyTorch's binaries since 2.5 export the std::filesystem functions they link statically from
// their own libstdc++ (pytorch/pytorch#133437, open), and a program linked against them calls
// those copies instead of the system's. Built against PyTorch 2.11's LibTorch with g++ 13,
// `ebm train --force` crashed (SIGSEGV) just after its first checkpoint, where it deleted the
// run it replaced with remove_all (where it stopped, not a backtrace, says so); the rest of
// std::filesystem in use here (exists, rename, directory iteration) ran. This walks the tree
// with POSIX calls (nftw, depth first, links not followed) and throws std::runtime_error naming
// the path that could not be removed.
#pragma once

#include <string>

namespace ebm::io {

// Removes `path` (a file, a link or a directory tree); nothing to do where it does not exist.
void remove_tree(const std::string& path);

}  // namespace ebm::io
