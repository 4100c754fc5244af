// kfix command-line tool: dispatches to the registered subcommands.
#include <algorithm>
#include <cctype>
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

std::string HelpText(const Command& command, std::string_view subcommand) {
  std::string usage = command.usage;
  if (usage.empty() || usage.back() != '\n') usage.push_back('\n');
  if (subcommand.empty()) return usage;
  // The synopsis is the leading block of lines up to the first blank one;
  // a synopsis entry is a line naming `kfix <command>` plus the more indented
  // lines after it.
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < usage.size();) {
    std::size_t nl = usage.find('\n', start);
    lines.push_back(usage.substr(start, nl - start));
    start = nl + 1;
  }
  auto names_sub = [&](const std::string& line) {
    const std::string head = "kfix " + command.name;
    std::size_t at = line.find(head);
    if (at == std::string::npos) return false;
    for (std::size_t p = line.find(subcommand, at + head.size()); p != std::string::npos;
         p = line.find(subcommand, p + 1)) {
      auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; };
      bool left = p == 0 || !word(line[p - 1]);
      bool right = p + subcommand.size() >= line.size() || !word(line[p + subcommand.size()]);
      if (left && right) return true;
    }
    return false;
  };
  auto indent = [](const std::string& line) { return line.find_first_not_of(' '); };
  const std::string head = "kfix " + command.name;
  std::string synopsis, others, rest;
  bool in_synopsis = true;  // until the first blank line
  bool keep = false;        // the current synopsis entry names the subcommand
  std::size_t own = std::string::npos;
  for (const std::string& line : lines) {
    if (line.empty()) in_synopsis = false;
    if (in_synopsis) {
      if (std::size_t at = line.find(head); at != std::string::npos) {
        keep = names_sub(line);
        own = at;
        const std::string entry = line.substr(at);
        (keep ? synopsis : others) += (keep && synopsis.empty() ? "usage: " : "       ") + entry + "\n";
        continue;
      }
      if (own != std::string::npos && indent(line) > own) {  // continuation of the entry above
        (keep ? synopsis : others) += line + "\n";
        continue;
      }
    }
    rest += line + "\n";
  }
  if (synopsis.empty()) return usage;  // no synopsis line names it: all of the usage
  // Its own synopsis first, then the rest of the usage as written.
  return synopsis + others + rest;
}

static void PrintHelp() {
  std::printf("kfix %s - detect, fix, verify and schedule Kubernetes misconfiguration fixes\n\n", KFIX_VERSION_STRING);
  std::printf("usage: kfix <command> [options]\n\ncommands:\n");
  std::vector<Command> cmds = Registry();
  std::sort(cmds.begin(), cmds.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
  for (const Command& c : cmds) std::printf("  %-10s %s\n", c.name.c_str(), c.summary.c_str());
  std::printf("\n`kfix <command> --help` (or -h, or `kfix help <command> [<subcommand>]`) prints a command's usage.\n");
}

/// `--help` / `-h` anywhere before `--`: the help of the command, or of the
/// first argument that names one of its subcommands. Printed on stdout.
static bool AnswerHelp(const Command& c, const std::vector<std::string>& args, bool forced) {
  bool asked = forced;
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") asked = true;
  }
  if (!asked) return false;
  std::string_view sub;
  for (const std::string& a : args) {
    if (a == "--") break;
    if (std::find(c.subcommands.begin(), c.subcommands.end(), a) != c.subcommands.end()) {
      sub = a;
      break;
    }
  }
  std::fputs(HelpText(c, sub).c_str(), stdout);
  return true;
}

}  // namespace kfix::cli

int main(int argc, char** argv) {
  using namespace kfix::cli;
  std::ios::sync_with_stdio(false);
  if (argc == 3 && std::string(argv[1]) == "help" && std::string(argv[2]) == "--commands") {
    // One line per command: its name and its subcommands (tests walk these).
    std::vector<Command> cmds = Registry();
    std::sort(cmds.begin(), cmds.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
    for (const Command& c : cmds) {
      std::string line = c.name;
      for (const std::string& s : c.subcommands) line += " " + s;
      std::printf("%s\n", line.c_str());
    }
    return kExitOk;
  }
  bool help = false;
  int first = 1;
  if (argc >= 3 && std::string(argv[1]) == "help") {  // kfix help CMD [SUB]
    help = true;
    first = 2;
  } else if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
             std::string(argv[1]) == "help") {
    PrintHelp();
    return argc < 2 ? kExitError : kExitOk;
  }
  std::string name = argv[first];
  if (name == "--version") name = "version";
  std::vector<std::string> args(argv + first + 1, argv + argc);
  for (const Command& c : Registry()) {
    if (c.name == name) {
      if (AnswerHelp(c, args, help)) return kExitOk;
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
