// Replays a fuzz corpus directory (or single files) through
// LLVMFuzzerTestOneInput, so every ordinary ctest run re-checks the seeds and
// every crash ever found (libgit2's standalone_driver.c, zstd's regression driver).
//
// Generated inputs: a corpus file whose name ends in `.gen` is a recipe, not
// an input. Each non-empty line that does not start with `#` is
// `<count> <text>`: the text (C escapes \n \t \r \\ \s for a space, \xHH,
// and \i for the repetition's 0-based index in decimal) repeated <count>
// times; the input is the lines' expansions concatenated.
// This keeps deep and wide inputs of 100 KB - 1 MB out of the repository.
//
// Timeout: every input must finish within KFIX_FUZZ_TIMEOUT seconds (default
// 30, generous for a loaded machine: the 1 MB inputs take well under a second
// alone, and the quadratic cases they guard against took minutes); otherwise the driver names the input and exits 1, so a hang or a
// quadratic blow-up fails the replay instead of stalling it.
//
// `replay_<target> --expand OUT DIR...` writes the expanded inputs to OUT
// (to seed a real libFuzzer run) instead of replaying them.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

char g_current[4096] = "";

void OnAlarm(int) {
  const char prefix[] = "fuzz replay: timeout on input ";
  ssize_t ignored = write(2, prefix, sizeof prefix - 1);
  ignored = write(2, g_current, std::strlen(g_current));
  ignored = write(2, "\n", 1);
  (void)ignored;
  _exit(1);
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Expands a `.gen` recipe; false (with a message) when it is malformed.
bool ExpandRecipe(const std::string& recipe, std::string& out, std::string& error) {
  std::size_t pos = 0;
  int line_no = 0;
  while (pos <= recipe.size()) {
    std::size_t nl = recipe.find('\n', pos);
    if (nl == std::string::npos) nl = recipe.size();
    std::string line = recipe.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::size_t sp = line.find(' ');
    if (sp == std::string::npos || sp == 0) {
      error = "line " + std::to_string(line_no) + ": expected `<count> <text>`";
      return false;
    }
    char* end = nullptr;
    unsigned long long count = std::strtoull(line.c_str(), &end, 10);
    if (end != line.c_str() + sp || count > (64u << 20)) {
      error = "line " + std::to_string(line_no) + ": bad count";
      return false;
    }
    std::string text;
    std::vector<std::size_t> index_at;  // offsets of \i in `text`
    for (std::size_t i = sp + 1; i < line.size(); ++i) {
      char c = line[i];
      if (c != '\\' || i + 1 >= line.size()) {
        text.push_back(c);
        continue;
      }
      char e = line[++i];
      switch (e) {
        case 'n': text.push_back('\n'); break;
        case 't': text.push_back('\t'); break;
        case 'r': text.push_back('\r'); break;
        case 's': text.push_back(' '); break;
        case '\\': text.push_back('\\'); break;
        case 'i': index_at.push_back(text.size()); break;
        case 'x': {
          int hi = i + 1 < line.size() ? Hex(line[i + 1]) : -1;
          int lo = i + 2 < line.size() ? Hex(line[i + 2]) : -1;
          if (hi < 0 || lo < 0) {
            error = "line " + std::to_string(line_no) + ": bad \\x escape";
            return false;
          }
          text.push_back(static_cast<char>(hi * 16 + lo));
          i += 2;
          break;
        }
        default:
          error = "line " + std::to_string(line_no) + ": unknown escape";
          return false;
      }
    }
    if (text.size() * count > (64u << 20)) {
      error = "line " + std::to_string(line_no) + ": expansion larger than 64 MiB";
      return false;
    }
    out.reserve(out.size() + text.size() * count);
    for (unsigned long long k = 0; k < count; ++k) {
      if (index_at.empty()) {
        out += text;
        continue;
      }
      const std::string n = std::to_string(k);
      std::size_t from = 0;
      for (std::size_t at : index_at) {
        out.append(text, from, at - from);
        out += n;
        from = at;
      }
      out.append(text, from, std::string::npos);
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  int first = 1;
  std::string expand_dir;
  if (argc > 2 && std::string(argv[1]) == "--expand") {
    expand_dir = argv[2];
    first = 3;
    fs::create_directories(expand_dir);
  }
  std::vector<fs::path> files;
  for (int i = first; i < argc; ++i) {
    fs::path p(argv[i]);
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else if (fs::exists(p)) {
      files.push_back(p);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "no corpus files found\n");
    return 1;
  }
  unsigned timeout = 30;
  if (const char* t = std::getenv("KFIX_FUZZ_TIMEOUT"); t != nullptr && std::atoi(t) > 0) {
    timeout = static_cast<unsigned>(std::atoi(t));
  }
  std::signal(SIGALRM, OnAlarm);
  std::size_t generated = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (f.extension() == ".gen") {
      std::string expanded;
      std::string error;
      if (!ExpandRecipe(data, expanded, error)) {
        std::fprintf(stderr, "%s: %s\n", f.string().c_str(), error.c_str());
        return 1;
      }
      data = std::move(expanded);
      ++generated;
    }
    if (!expand_dir.empty()) {
      std::ofstream out(fs::path(expand_dir) / f.filename().replace_extension(".in"), std::ios::binary);
      out << data;
      continue;
    }
    std::snprintf(g_current, sizeof g_current, "%s (%zu bytes, limit %u s)", f.string().c_str(), data.size(),
                  timeout);
    alarm(timeout);
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    alarm(0);
  }
  std::printf("%s %zu inputs (%zu generated)\n", expand_dir.empty() ? "replayed" : "expanded", files.size(),
              generated);
  return 0;
}
