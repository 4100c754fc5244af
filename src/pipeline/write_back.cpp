// Write-back of a fix report: format-preserving renders of the fixed files
// (core RenderPatches), written safely (core WriteFileSafely) to a mirror
// directory or in place, a unified diff against the original bytes, and
// kustomize overlays. docs/write-back.md.
//
// Thread safety: reentrant.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/parallel_internal.hpp"
#include "kfix/pipeline.hpp"
#include "pipeline/write_back_internal.hpp"

namespace kfix {
namespace {

namespace fs = std::filesystem;
using Layout = internal::WriteBackLayout;

// Maps each input file to its place under an output directory: a file
// argument by its name, the files of a directory argument by their path
// inside it. Two inputs at one place are an error.
Result<Layout> MakeLayout(const std::vector<std::string>& paths) {
  Layout out;
  std::map<std::string, std::size_t> taken;  // relative -> input (position in out.files)
  std::set<std::string> seen;
  for (const std::string& a : paths) {
    if (a == "-") {
      return InvalidArgumentError(
          "cannot write back stdin (-): there are no original bytes to edit; pass the file's path instead");
    }
    auto files = ExpandPaths({a});
    if (!files.ok()) return files.status();
    std::error_code ec;
    const bool dir = fs::is_directory(a, ec);
    for (std::string& f : *files) {
      if (!seen.insert(f).second) continue;  // the same file named twice
      std::string rel =
          dir ? fs::path(f).lexically_relative(a).lexically_normal().string() : fs::path(f).filename().string();
      auto [it, inserted] = taken.emplace(rel, out.files.size());
      if (!inserted) {
        return InvalidArgumentError("the inputs " + out.files[it->second] + " and " + f + " would both be written to " +
                                    rel + "; pass their common parent directory instead so the layout is kept");
      }
      out.relative.push_back(std::move(rel));
      out.files.push_back(std::move(f));
    }
  }
  return out;
}

// The name a diff uses for `file`: relative to the working directory when the
// file is below it, so that `patch -p1` and `git apply` find it there.
std::string DiffName(const std::string& file) {
  fs::path p(file);
  std::error_code ec;
  if (p.is_absolute()) {
    fs::path rel = p.lexically_relative(fs::current_path(ec));
    if (!ec && !rel.empty() && *rel.begin() != "..") p = rel;
  }
  std::string s = p.lexically_normal().generic_string();
  while (s.rfind("./", 0) == 0) s.erase(0, 2);
  return s;
}

// Accepted object patches per file.
std::map<std::string, std::vector<ObjectPatch>> PatchesByFile(const FixReport& report) {
  std::map<std::string, std::vector<ObjectPatch>> out;
  for (const ObjectFix& o : report.objects) {
    if (!o.accepted || o.object_index >= report.manifests.size()) continue;
    const Manifest& m = report.manifests[o.object_index];
    ObjectPatch p;
    p.document = m.document;
    p.item = m.item;
    p.patch = o.patch;
    p.object = &m.root;
    out[m.file].push_back(std::move(p));
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string SafeName(const std::string& s) {
  std::string out;
  for (char c : s) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_');
  return out.substr(0, 80);
}

// The original bytes of `file`: the text kept in the report
// (FixOptions::keep_sources) or the file read now (into *read).
const std::string* SourceOf(const FixReport& report, const std::string& file, const ParseOptions& parse,
                            std::string* read, Status* error) {
  if (auto k = report.sources.find(file); k != report.sources.end()) return &k->second;
  Result<std::string> r = ReadFileToString(file, parse.max_document_bytes);
  if (!r.ok()) {
    *error = r.status();
    return nullptr;
  }
  *read = std::move(*r);
  return read;
}

// What the renders of a report need, built once: each file's accepted
// object patches, every object of those files in load order, and the files
// with load errors (never written).
struct RenderPlan {
  std::map<std::string, std::vector<ObjectPatch>> patches;
  std::map<std::string, std::vector<const Manifest*>> objects;
  std::set<std::string> broken;
};

RenderPlan PlanRenders(const FixReport& report) {
  RenderPlan plan;
  plan.patches = PatchesByFile(report);
  for (const Manifest& m : report.manifests) {
    if (plan.patches.count(m.file)) plan.objects[m.file].push_back(&m);
  }
  for (const Status& e : report.errors) plan.broken.insert(e.location().file);
  return plan;
}

// Renders the accepted patches of `file` (which has some) into *text
// (w->fixed, notes, refused); false with w->status set when it cannot be
// rendered.
bool RenderOne(const RenderPlan& plan, const std::string& file, const std::string& original,
               const ParseOptions& parse, WrittenFile* w, std::string* text) {
  SourceLocation loc;
  loc.file = file;
  if (plan.broken.count(file)) {
    w->status = Status(StatusCode::kParseError, file + ": not written: it has documents that could not be loaded", loc);
    return false;
  }
  RenderOptions ro;
  ro.parse = parse;
  ro.objects = &plan.objects.at(file);
  Result<RenderedFile> r = RenderPatches(original, file, plan.patches.at(file), ro);
  if (!r.ok()) {
    w->status = r.status().WithDefaultLocation(loc);
    return false;
  }
  w->fixed = r->changed;
  w->notes = std::move(r->notes);
  w->refused = std::move(r->refused);
  *text = std::move(r->text);
  return true;
}

}  // namespace

bool WriteBackResult::ok() const noexcept {
  for (const WrittenFile& f : files) {
    if (!f.status.ok()) return false;
  }
  return true;
}

Status CheckWriteBack(const std::vector<std::string>& paths, const WriteBackOptions& options) {
  if (options.mode == WriteMode::kNone && !options.diff) return Status::Ok();
  Result<Layout> layout = MakeLayout(paths);
  if (!layout.ok()) return layout.status();
  if (options.mode != WriteMode::kDirectory) return Status::Ok();
  // Each input and each output is looked at once: (device, inode) of the
  // inputs, the first input of each.
  std::map<std::pair<dev_t, ino_t>, const std::string*> inputs;
  for (const std::string& f : layout->files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) == 0) inputs.emplace(std::make_pair(st.st_dev, st.st_ino), &f);
  }
  // Outputs in the order of their inputs' names (which pair an error names).
  std::vector<std::size_t> by_name(layout->files.size());
  for (std::size_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(),
            [&](std::size_t a, std::size_t b) { return layout->files[a] < layout->files[b]; });
  for (std::size_t i : by_name) {
    const std::string out = (fs::path(options.directory) / layout->relative[i]).string();
    struct stat st {};
    if (::stat(out.c_str(), &st) != 0) continue;
    if (auto it = inputs.find({st.st_dev, st.st_ino}); it != inputs.end()) {
      return InvalidArgumentError("--write would overwrite the input " + *it->second + " (" + out + " is that file)");
    }
  }
  return Status::Ok();
}

namespace {

// One file of a write-back: read, rendered and diffed (Prepare, on any
// thread), then written (Commit).
struct Work {
  std::size_t index = 0;  // in the layout
  WrittenFile w;
  std::string read;
  const std::string* original = nullptr;
  std::string text;
  std::string diff;
};

void Prepare(const FixReport& report, const RenderPlan& plan, const std::string& file, const WriteBackOptions& options,
             Work& k) {
  k.w.input = file;
  k.original = SourceOf(report, file, options.parse, &k.read, &k.w.status);
  if (k.original == nullptr) {
    SourceLocation loc;
    loc.file = file;
    k.w.status = k.w.status.WithDefaultLocation(loc);
    return;
  }
  if (plan.patches.count(file) && !RenderOne(plan, file, *k.original, options.parse, &k.w, &k.text)) {
    k.original = nullptr;
    return;
  }
  if (options.diff && k.w.fixed) {
    const std::string name = DiffName(file);
    k.diff = UnifiedDiff(*k.original, k.text, "a/" + name, "b/" + name);
  }
}

void Commit(const Layout& layout, const WriteBackOptions& options, Work& k) {
  WrittenFile& w = k.w;
  if (k.original == nullptr) return;
  const std::string& file = w.input;
  const std::string& bytes = w.fixed ? k.text : *k.original;
  if (options.mode == WriteMode::kDirectory) {
    WriteOptions wo;
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0) wo.mode = st.st_mode & 07777;
    wo.force_mode = true;
    wo.protect_shared = &layout.files;
    const std::string& rel = layout.relative[k.index];
    w.status = WriteFileSafely(options.directory, rel, bytes, wo);
    if (w.status.ok()) w.output = (fs::path(options.directory) / rel).string();
  } else if (options.mode == WriteMode::kInPlace && w.fixed) {
    const fs::path p(file);
    WriteOptions wo;
    wo.create_parents = false;
    const std::string dir = p.has_parent_path() ? p.parent_path().string() : std::string(".");
    w.status = WriteFileSafely(dir, p.filename().string(), bytes, wo);
    if (w.status.ok()) w.output = file;
  }
}

}  // namespace

Result<internal::WriteBackLayout> internal::MakeWriteBackLayout(const std::vector<std::string>& paths) {
  return MakeLayout(paths);
}

WrittenFile internal::WriteBackFile(const FixReport& report, std::size_t index, const WriteBackLayout& layout,
                                    const WriteBackOptions& options, std::string* diff) {
  const std::string& file = layout.files[index];
  const RenderPlan plan = PlanRenders(report);
  Work k;
  k.index = index;
  Prepare(report, plan, file, options, k);
  Commit(layout, options, k);
  *diff = std::move(k.diff);
  return std::move(k.w);
}

Result<WriteBackResult> WriteBack(const FixReport& report, const std::vector<std::string>& paths,
                                  const WriteBackOptions& options) {
  if (Status s = CheckWriteBack(paths, options); !s.ok()) return s;
  WriteBackResult result;
  if (options.mode == WriteMode::kNone && !options.diff) return result;
  Result<Layout> layout = MakeLayout(paths);
  if (!layout.ok()) return layout.status();
  const RenderPlan plan = PlanRenders(report);
  // Each file is read, rendered and diffed on `jobs` threads, a window of
  // files at a time (so the texts held stay bounded), then written one after
  // another in input order: the same files, diff and results for any jobs.
  const std::vector<std::string>& files = layout->files;
  const int threads = internal::ThreadCount(options.jobs, files.size());
  const std::size_t window = static_cast<std::size_t>(threads) * 16;
  for (std::size_t first = 0; first < files.size(); first += window) {
    const std::size_t count = std::min(window, files.size() - first);
    std::vector<Work> work(count);
    internal::ParallelFor(count, threads, [&](std::size_t i) {
      work[i].index = first + i;
      Prepare(report, plan, files[first + i], options, work[i]);
    });
    for (Work& k : work) {
      Commit(*layout, options, k);
      result.diff += k.diff;
      result.files.push_back(std::move(k.w));
    }
  }
  return result;
}

Result<std::vector<WrittenFile>> RenderFixedFiles(const FixReport& report, const ParseOptions& parse) {
  const RenderPlan plan = PlanRenders(report);
  std::vector<WrittenFile> out;
  for (const auto& entry : plan.patches) {
    const std::string& file = entry.first;
    WrittenFile w;
    w.input = file;
    std::string read;
    const std::string* original = SourceOf(report, file, parse, &read, &w.status);
    if (original != nullptr) {
      std::string text;
      if (RenderOne(plan, file, *original, parse, &w, &text)) {
        w.text = w.fixed ? std::move(text) : *original;
      }
    } else {
      SourceLocation loc;
      loc.file = file;
      w.status = w.status.WithDefaultLocation(loc);
    }
    out.push_back(std::move(w));
  }
  return out;
}

Status WriteKustomizeOverlay(const FixReport& report, const std::vector<std::string>& paths,
                             const std::string& directory) {
  Result<Layout> layout = MakeLayout(paths);
  if (!layout.ok()) return layout.status();
  std::error_code ec;
  fs::create_directories(directory, ec);
  const fs::path root = fs::weakly_canonical(directory, ec);
  std::string k =
      "# Written by kfix fix --kustomize: the inputs as resources and each object's accepted\n"
      "# fix as a JSON 6902 patch. Render with: kubectl kustomize <this directory>\n"
      "apiVersion: kustomize.config.k8s.io/v1beta1\n"
      "kind: Kustomization\n"
      "resources:\n";
  WriteOptions wo;
  for (std::size_t i = 0; i < layout->files.size(); ++i) {
    const std::string& file = layout->files[i];
    // Inputs below the overlay are listed where they are; others are copied
    // (byte-identical) under resources/, since kustomize loads nothing from
    // outside its directory by default.
    const fs::path abs = fs::weakly_canonical(file, ec);
    fs::path rel = abs.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") {
      Result<std::string> bytes = ReadFileToString(file);
      if (!bytes.ok()) return bytes.status();
      rel = fs::path("resources") / layout->relative[i];
      wo.protect_shared = &layout->files;
      if (Status s = WriteFileSafely(directory, rel.string(), *bytes, wo); !s.ok()) return s;
    }
    k += "- " + JsonQuote(rel.generic_string()) + "\n";
  }
  std::string entries;
  std::set<std::string> targets;
  int n = 0;
  for (const ObjectFix& o : report.objects) {
    if (!o.accepted || o.object_index >= report.manifests.size()) continue;
    const Manifest& m = report.manifests[o.object_index];
    const ObjectRef ref = m.Ref();
    if (ref.kind.empty() || ref.name.empty() || ref.api_version.empty()) {
      SourceLocation l = m.Location();
      return InvalidArgumentError(m.file + ": an object without apiVersion, kind or metadata.name cannot be a "
                                  "kustomize patch target",
                                  l);
    }
    const std::size_t slash = ref.api_version.find('/');
    const std::string group = slash == std::string::npos ? "" : ref.api_version.substr(0, slash);
    const std::string version = slash == std::string::npos ? ref.api_version : ref.api_version.substr(slash + 1);
    const std::string key = group + "/" + ref.kind + "/" + ref.namespace_ + "/" + ref.name;
    if (!targets.insert(key).second) {
      return InvalidArgumentError("two objects are " + ref.kind + " " + ref.namespace_ + "/" + ref.name +
                                  "; a kustomize patch target must name one object");
    }
    char num[16];
    std::snprintf(num, sizeof num, "%03d", ++n);
    const std::string patch_file =
        std::string("patches/") + num + "-" + SafeName(Lower(ref.kind)) + "-" + SafeName(ref.name) + ".json";
    wo.protect_shared = &layout->files;
    if (Status s = WriteFileSafely(directory, patch_file, PatchToJson(o.patch, JsonStyle::kPretty) + "\n", wo);
        !s.ok()) {
      return s;
    }
    auto quote = [](const std::string& s) { return JsonQuote(s); };
    // kustomize matches name and namespace as anchored regular expressions.
    auto exact = [](const std::string& s) {
      std::string out;
      for (char c : s) {
        if (std::string_view(".^$*+?()[]{}|\\").find(c) != std::string_view::npos) out.push_back('\\');
        out.push_back(c);
      }
      return out;
    };
    entries += "- path: " + patch_file + "\n  target:\n";
    if (!group.empty()) entries += "    group: " + quote(group) + "\n";
    entries += "    version: " + quote(version) + "\n";
    entries += "    kind: " + quote(ref.kind) + "\n";
    entries += "    name: " + quote(exact(ref.name)) + "\n";
    if (!ref.namespace_.empty()) entries += "    namespace: " + quote(exact(ref.namespace_)) + "\n";
  }
  if (!entries.empty()) k += "patches:\n" + entries;
  wo.protect_shared = &layout->files;
  return WriteFileSafely(directory, "kustomization.yaml", k, wo);
}

}  // namespace kfix
