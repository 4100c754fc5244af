// raw_libyaml: the floor every kfix ratio in docs/performance.md is measured
// against. Walks PATH... as `kfix` does (a directory recursively, *.yaml,
// *.yml and *.json, sorted), reads each file and runs libyaml's event parser
// over it, building nothing. Prints "FILES files BYTES bytes EVENTS events".
//
// usage: raw_libyaml PATH...
#include <yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace {

bool Wanted(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

bool ReadAll(const std::string& path, std::string& out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  out.clear();
  char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: raw_libyaml PATH...\n");
    return 2;
  }
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    if (fs::is_directory(argv[i], ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(argv[i], ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file(ec) && Wanted(it->path())) found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.emplace_back(argv[i]);
    }
  }
  long long events = 0, bytes = 0;
  std::string text;
  for (const std::string& path : files) {
    if (!ReadAll(path, text)) {
      std::fprintf(stderr, "raw_libyaml: cannot read %s\n", path.c_str());
      return 1;
    }
    bytes += static_cast<long long>(text.size());
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    for (;;) {
      yaml_event_t ev;
      if (!yaml_parser_parse(&parser, &ev)) break;  // a syntax error ends the file, as it ends kfix's load
      const bool end = ev.type == YAML_STREAM_END_EVENT;
      yaml_event_delete(&ev);
      ++events;
      if (end) break;
    }
    yaml_parser_delete(&parser);
  }
  std::printf("%zu files %lld bytes %lld events\n", files.size(), bytes, events);
  return 0;
}
