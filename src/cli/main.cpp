// kfix command-line tool: dispatches to the registered subcommands.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/command.hpp"
#include "kfix/version.hpp"

namespace kfix::cli {

std::vector<Command>& Registry() {
  static std::vector<Command> commands;
  return commands;
}

Args::Args(const std::vector<std::string>& args, std::vector<std::string> value_flags,
           std::vector<std::string> bool_flags) {
  auto is_in = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      for (std::size_t j = i + 1; j < args.size(); ++j) positionals_.push_back(args[j]);
      break;
    }
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      std::string name = a.substr(2);
      std::string value;
      bool has_eq = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_eq = true;
      }
      if (is_in(bool_flags, name)) {
        if (has_eq) {
          error_ = "flag --" + name + " takes no value";
          return;
        }
        values_.emplace_back(name, "true");
      } else if (is_in(value_flags, name)) {
        if (!has_eq) {
          if (i + 1 >= args.size()) {
            error_ = "flag --" + name + " needs a value";
            return;
          }
          value = args[++i];
        }
        values_.emplace_back(name, value);
      } else {
        error_ = "unknown flag --" + name;
        return;
      }
    } else {
      positionals_.push_back(a);
    }
  }
}

bool Args::Has(const std::string& flag) const {
  return std::any_of(values_.begin(), values_.end(), [&](const auto& p) { return p.first == flag; });
}

std::string Args::Get(const std::string& flag, const std::string& fallback) const {
  std::string out = fallback;
  for (const auto& p : values_) {
    if (p.first == flag) out = p.second;  // last one wins
  }
  return out;
}

std::vector<std::string> Args::GetAll(const std::string& flag) const {
  std::vector<std::string> out;
  for (const auto& p : values_) {
    if (p.first == flag) out.push_back(p.second);
  }
  return out;
}

int UsageError(const std::string& cmd, const std::string& message) {
  std::fprintf(stderr, "kfix %s: %s\n", cmd.c_str(), message.c_str());
  return kExitError;
}

static void PrintHelp() {
  std::printf("kfix %s - detect, fix, verify and schedule Kubernetes misconfiguration fixes\n\n", KFIX_VERSION_STRING);
  std::printf("usage: kfix <command> [options]\n\ncommands:\n");
  std::vector<Command> cmds = Registry();
  std::sort(cmds.begin(), cmds.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
  for (const Command& c : cmds) std::printf("  %-10s %s\n", c.name.c_str(), c.summary.c_str());
}

}  // namespace kfix::cli

int main(int argc, char** argv) {
  using namespace kfix::cli;
  std::ios::sync_with_stdio(false);
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "help") {
    PrintHelp();
    return argc < 2 ? kExitError : kExitOk;
  }
  std::string name = argv[1];
  if (name == "--version") name = "version";
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& c : Registry()) {
    if (c.name == name) {
      try {
        return c.run(args);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "kfix %s: internal error: %s\n", name.c_str(), e.what());
        return kExitError;
      }
    }
  }
  std::fprintf(stderr, "kfix: unknown command '%s' (see kfix --help)\n", name.c_str());
  return kExitError;
}
