// kfix fix: scan, propose minimal patches, vet them through every gate, and
// report (JSON or text), optionally writing patched manifests or a diff.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/audit.hpp"
#include "kfix/guard.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/remediate.hpp"
#include "kfix/rules.hpp"

namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: kfix fix [--format json|text] [--config FILE] [--profile minimal|harden] [--write DIR] [--diff] "
    "[--jobs N] [--audit FILE --key PRIVATE_KEY] PATH...";

/// Loads the rules and fix configuration from one file (or the defaults).
bool LoadConfigs(const std::string& cmd, const std::string& path, kfix::RulesConfig& rules_config,
                 kfix::FixConfig& fix_config, int& exit_code) {
  auto rc = kfix::LoadRulesConfig(path);
  if (!rc.ok()) {
    exit_code = kfix::cli::UsageError(cmd, rc.status().ToString());
    return false;
  }
  rules_config = std::move(*rc);
  if (!path.empty()) {
    auto text = kfix::ReadFileToString(path);
    if (!text.ok()) {
      exit_code = kfix::cli::UsageError(cmd, text.status().ToString());
      return false;
    }
    auto fc = kfix::ParseFixConfig(*text, path);
    if (!fc.ok()) {
      exit_code = kfix::cli::UsageError(cmd, fc.status().ToString());
      return false;
    }
    fix_config = std::move(*fc);
  }
  return true;
}

/// Where each input file is mirrored under DIR.
std::map<std::string, fs::path> MirrorPaths(const std::vector<std::string>& args, const fs::path& out_dir) {
  std::map<std::string, fs::path> out;
  for (const std::string& a : args) {
    if (a == "-") {
      out["-"] = out_dir / "stdin.yaml";
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      auto files = kfix::ExpandPaths({a});
      if (!files.ok()) continue;
      for (const std::string& f : *files) out[f] = out_dir / fs::path(f).lexically_relative(a);
    } else {
      out[a] = out_dir / fs::path(a).filename();
    }
  }
  return out;
}

/// The documents of one file, original and patched, as YAML text.
struct FileText {
  std::string before, after;
  bool changed = false;
};

std::map<std::string, FileText> RenderFiles(const kfix::FixReport& report) {
  std::map<std::size_t, const kfix::ObjectFix*> fixes;
  for (const kfix::ObjectFix& o : report.objects) {
    if (o.accepted) fixes[o.object_index] = &o;
  }
  // Objects per file and document (List items with their index).
  struct Item {
    std::int32_t item;
    const kfix::Value* before;
    const kfix::Value* after;
  };
  std::map<std::string, std::map<std::int32_t, std::vector<Item>>> files;
  for (std::size_t i = 0; i < report.manifests.size(); ++i) {
    const kfix::Manifest& m = report.manifests[i];
    auto it = fixes.find(i);
    files[m.file][m.document].push_back(Item{m.item, &m.root, it == fixes.end() ? &m.root : &it->second->patched});
  }
  std::map<std::string, FileText> out;
  for (auto& [file, docs] : files) {
    // The documents as written (Lists unexpanded, every top-level field and
    // every item kept), so a written file loses nothing but comments and
    // formatting; patched objects replace their document or List item.
    std::vector<std::pair<kfix::Value, kfix::Value>> rendered;  // before, after
    bool have_raw = false;
    if (file != "-") {
      kfix::ParseOptions po;
      po.expand_lists = false;
      po.require_objects = false;
      kfix::LoadResult raw = kfix::LoadFile(file, po);
      if (raw.errors.empty()) {
        have_raw = true;
        std::vector<std::pair<std::int32_t, kfix::Value>> raw_docs;  // document index, value
        if (!raw.manifests.empty() && raw.manifests[0].item >= 0) {
          // A top-level JSON array comes back as items even without
          // expand_lists: put the array back together.
          kfix::Value arr = kfix::Value::MakeArray();
          for (kfix::Manifest& m : raw.manifests) arr.PushBack(std::move(m.root));
          raw_docs.emplace_back(0, std::move(arr));
        } else {
          for (kfix::Manifest& m : raw.manifests) raw_docs.emplace_back(m.document, std::move(m.root));
        }
        for (auto& [n, before] : raw_docs) {
          kfix::Value after = before;
          if (auto d = docs.find(n); d != docs.end()) {
            for (const Item& it : d->second) {
              if (it.after == it.before) continue;
              if (it.item < 0) {
                after = *it.after;
                continue;
              }
              kfix::Value* items = after.is_array() ? &after : after.Find("items");
              if (items && items->is_array() && static_cast<std::size_t>(it.item) < items->size()) {
                items->as_array()[static_cast<std::size_t>(it.item)] = *it.after;
              } else {
                have_raw = false;  // the file changed under us: fall back below
              }
            }
          }
          rendered.emplace_back(std::move(before), std::move(after));
        }
      }
    }
    if (!have_raw) {  // stdin, or the file no longer reads as it did
      rendered.clear();
      for (auto& [n, items] : docs) {
        (void)n;
        if (items.size() == 1 && items[0].item < 0) {
          rendered.emplace_back(*items[0].before, *items[0].after);
          continue;
        }
        kfix::Value before = kfix::Value::MakeObject();
        before.Set("apiVersion", "v1");
        before.Set("kind", "List");
        kfix::Value after = before;
        kfix::Value bi = kfix::Value::MakeArray(), ai = kfix::Value::MakeArray();
        for (const Item& it : items) {
          bi.PushBack(*it.before);
          ai.PushBack(*it.after);
        }
        before.Set("items", std::move(bi));
        after.Set("items", std::move(ai));
        rendered.emplace_back(std::move(before), std::move(after));
      }
    }
    FileText& ft = out[file];
    const bool json = fs::path(file).extension() == ".json" && rendered.size() == 1;
    bool first = true;
    for (auto& [before, after] : rendered) {
      if (!first) {
        ft.before += json ? "" : "---\n";
        ft.after += json ? "" : "---\n";
      }
      first = false;
      if (json) {  // JSON inputs stay JSON (one pretty document each)
        ft.before += kfix::ToJson(before, kfix::JsonStyle::kPretty) + "\n";
        ft.after += kfix::ToJson(after, kfix::JsonStyle::kPretty) + "\n";
      } else {
        ft.before += kfix::ToYaml(before);
        ft.after += kfix::ToYaml(after);
      }
      ft.changed = ft.changed || before != after;
    }
  }
  return out;
}

int RunFix(const std::vector<std::string>& raw) {
  const std::string cmd = "fix";
  kfix::cli::Args a(raw, {"format", "config", "profile", "write", "jobs", "audit", "key"}, {"diff"});
  if (!a.ok()) return kfix::cli::UsageError(cmd, a.error() + "\n" + kUsage);
  if (a.positionals().empty()) return kfix::cli::UsageError(cmd, std::string("no PATH given\n") + kUsage);
  std::string format = a.Get("format", "json");
  if (format != "json" && format != "text") return kfix::cli::UsageError(cmd, "--format must be json or text");
  int jobs = 1;
  if (a.Has("jobs")) {
    try {
      jobs = std::stoi(a.Get("jobs"));
    } catch (...) {
      jobs = 0;
    }
    if (jobs < 1 || jobs > 256) return kfix::cli::UsageError(cmd, "--jobs must be an integer in 1..256");
  }
  kfix::RulesConfig rules_config;
  kfix::FixConfig fix_config;
  int code = kfix::cli::kExitOk;
  if (!LoadConfigs(cmd, a.Get("config"), rules_config, fix_config, code)) return code;
  if (a.Has("profile")) {
    auto p = kfix::ParseFixProfile(a.Get("profile"));
    if (!p.ok()) return kfix::cli::UsageError(cmd, p.status().message());
    fix_config.profile = *p;
  }
  auto rules = kfix::RuleSet::Create(rules_config);
  if (!rules.ok()) return kfix::cli::UsageError(cmd, rules.status().ToString());

  // The audit log (opened before any work so a bad key fails fast).
  std::unique_ptr<kfix::AuditLog> audit;
  if (!kfix::cli::OpenAuditFlags(cmd, a, &audit)) return kfix::cli::kExitError;

  // Refuse to write into an input before doing any work.
  std::map<std::string, fs::path> mirror;
  if (a.Has("write")) {
    fs::path out_dir = a.Get("write");
    mirror = MirrorPaths(a.positionals(), out_dir);
    for (const auto& [in, out] : mirror) {
      std::error_code ec1, ec2;
      if (in != "-" && fs::weakly_canonical(in, ec1) == fs::weakly_canonical(out, ec2))
        return kfix::cli::UsageError(cmd, "--write would overwrite the input " + in);
    }
  }

  kfix::FixOptions options;
  options.jobs = jobs;
  kfix::FixReport report = kfix::FixPaths(a.positionals(), *rules, fix_config, options);

  if (audit) {
    // One signed record per accepted patch.
    kfix::Value fix_report = kfix::FixReportToValue(report);
    const kfix::Value* results = fix_report.Find("results");
    for (std::size_t i = 0; results && i < report.results.size(); ++i) {
      if (report.results[i].status != kfix::FixStatus::kAccepted) continue;
      kfix::Value record = results->as_array()[i];
      record.Set("profile", kfix::FixProfileName(fix_config.profile));
      if (!kfix::cli::AuditRecord(cmd, audit.get(), "kfix.fix.accepted", record)) {
        code = kfix::cli::kExitError;
        break;
      }
    }
  }

  std::set<std::string> files_with_errors;
  for (const kfix::Status& e : report.errors) {
    std::fprintf(stderr, "kfix fix: %s\n", e.ToString().c_str());
    files_with_errors.insert(e.location().file);
  }

  if (a.Has("write") || a.Has("diff")) {
    std::map<std::string, FileText> rendered = RenderFiles(report);
    for (const auto& [file, text] : rendered) {
      if (a.Has("diff") && text.changed) {
        std::string d = kfix::UnifiedDiff(text.before, text.after, "a/" + file, "b/" + file);
        std::fwrite(d.data(), 1, d.size(), stdout);
      }
      if (!a.Has("write")) continue;
      if (files_with_errors.count(file)) {
        std::fprintf(stderr, "kfix fix: not writing %s: it has documents that could not be loaded\n", file.c_str());
        continue;
      }
      auto it = mirror.find(file);
      if (it == mirror.end()) continue;
      std::error_code ec;
      fs::create_directories(it->second.parent_path(), ec);
      std::ofstream out(it->second, std::ios::binary | std::ios::trunc);
      out << text.after;
      if (!out) {
        std::fprintf(stderr, "kfix fix: cannot write %s\n", it->second.string().c_str());
        code = kfix::cli::kExitError;
      }
    }
  }
  if (a.Has("diff")) {
    const kfix::FixSummary& s = report.summary;
    std::fprintf(stderr, "kfix fix: %lld findings, %lld accepted, %lld rejected, %lld needs-review, %lld unfixable\n",
                 static_cast<long long>(s.findings), static_cast<long long>(s.accepted),
                 static_cast<long long>(s.rejected), static_cast<long long>(s.needs_review),
                 static_cast<long long>(s.unfixable));
  } else if (format == "json") {
    std::string j = kfix::FixReportToJson(report, true);
    std::fwrite(j.data(), 1, j.size(), stdout);
  } else {
    std::string t = kfix::FixReportToText(report);
    std::fwrite(t.data(), 1, t.size(), stdout);
  }
  if (!report.errors.empty()) code = kfix::cli::kExitError;
  return code;
}

}  // namespace

KFIX_CLI_COMMAND("fix", "propose, vet and apply minimal fixes for findings", kUsage, RunFix);
