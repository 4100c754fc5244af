// Corpus property test for write-back. `kfix fix` over the whole corpus (one
// lint context, default checks and fix configuration), then every file with
// an accepted object patch is rendered with RenderPatches and checked:
//   * the render succeeds, and LoadManifests(render) equals the original
//     objects with the accepted patches applied (refused objects unchanged);
//   * every byte of the original outside the ranges the renderer reports as
//     replaced is in the output, in order (checked independently by matching
//     the kept segments);
//   * each replaced range lies inside a node a patch op addresses (the node
//     at the op's path; for a new member, or a removal that empties its
//     collection, the parent);
//   * no comment outside the replaced ranges is lost.
// Prints the counts and the render time against the fix time (informational;
// benchmarks/bench_render.cpp measures the ratio). Exit 0 when every property
// holds, 1 otherwise.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/render_internal.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/rules.hpp"

namespace {

int failures = 0;

void Fail(const std::string& file, const std::string& what) {
  if (++failures <= 30) std::printf("FAIL %s: %s\n", file.c_str(), what.c_str());
}

std::vector<std::size_t> LineStarts(const std::string& t) {
  std::vector<std::size_t> s{0};
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\n') s.push_back(i + 1);
  }
  return s;
}

std::size_t LineOf(const std::vector<std::size_t>& starts, std::size_t off) {
  return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), off) - starts.begin());  // 1-based
}

// Comments: `#` at a line start or after a blank, outside quotes (a line-level
// approximation, the same on both sides).
std::vector<std::string> Comments(const std::string& t, const std::vector<std::pair<std::size_t, std::size_t>>* skip) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < t.size()) {
    std::size_t e = t.find('\n', i);
    if (e == std::string::npos) e = t.size();
    char quote = 0;
    for (std::size_t k = i; k < e; ++k) {
      const char c = t[k];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        if (k == i || t[k - 1] == ' ' || t[k - 1] == ':' || t[k - 1] == '[' || t[k - 1] == '{' || t[k - 1] == ',')
          quote = c;
      } else if (c == '#' && (k == i || t[k - 1] == ' ' || t[k - 1] == '\t')) {
        bool inside = false;
        if (skip) {
          for (const auto& r : *skip) inside = inside || (k >= r.first && k < r.second);
        }
        if (!inside) {
          std::string c2 = t.substr(k, e - k);
          while (!c2.empty() && (c2.back() == '\r' || c2.back() == ' ')) c2.pop_back();
          out.push_back(c2);
        }
        break;
      }
    }
    i = e + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Last line of a node's text: the furthest line any descendant starts on,
// plus the lines inside multi-line string scalars.
std::int32_t LastLine(const kfix::Value& v) {
  std::int32_t last = v.line();
  if (v.is_string()) {
    last += static_cast<std::int32_t>(std::count(v.as_string().begin(), v.as_string().end(), '\n')) + 1;
  } else if (v.is_array()) {
    for (const kfix::Value& e : v.as_array()) last = std::max(last, LastLine(e));
  } else if (v.is_object()) {
    for (const kfix::Member& m : v.as_object()) last = std::max({last, m.key_line, LastLine(m.value)});
  }
  return last;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: corpus_render_test CORPUS_DIR\n");
    return 1;
  }
  auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
  if (!rules.ok()) return 1;
  kfix::FixOptions fo;
  fo.jobs = 1;
  const auto t0 = std::chrono::steady_clock::now();
  kfix::FixReport report = kfix::FixPaths({argv[1]}, *rules, kfix::FixConfig{}, fo);
  const double fix_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::map<std::string, std::vector<kfix::ObjectPatch>> by_file;
  for (const kfix::ObjectFix& o : report.objects) {
    if (!o.accepted) continue;
    const kfix::Manifest& m = report.manifests[o.object_index];
    kfix::ObjectPatch p;
    p.document = m.document;
    p.item = m.item;
    p.patch = o.patch;
    p.object = &m.root;
    by_file[m.file].push_back(std::move(p));
  }
  std::map<std::string, std::vector<const kfix::Manifest*>> objects;
  for (const kfix::Manifest& m : report.manifests) {
    if (by_file.count(m.file)) objects[m.file].push_back(&m);
  }
  double render_s = 0;
  std::size_t rendered = 0, changed = 0, renotes = 0, refused = 0, outside = 0, lost_comments = 0, ranges = 0;
  for (const auto& [file, patches] : by_file) {
    auto text = kfix::ReadFileToString(file);
    if (!text.ok()) {
      Fail(file, text.status().ToString());
      continue;
    }
    const auto r0 = std::chrono::steady_clock::now();
    kfix::RenderOptions ro;
    ro.objects = &objects[file];
    auto r = kfix::RenderPatches(*text, file, patches, ro);
    render_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
    if (!r.ok()) {
      Fail(file, r.status().ToString());
      continue;
    }
    ++rendered;
    // The fast path (spans of the edited collections only) gives what the
    // whole-file span pass gives, byte for byte.
    auto whole = kfix::internal::RenderPatchesWholeSpans(*text, file, patches, ro);
    if (!whole.ok() || whole->text != r->text || whole->notes != r->notes || whole->replaced != r->replaced ||
        whole->changed != r->changed || whole->refused.size() != r->refused.size()) {
      Fail(file, "the render differs from the whole-file span pass");
    }
    changed += r->changed ? 1 : 0;
    renotes += r->notes.empty() ? 0 : 1;
    refused += r->refused.size();
    ranges += r->replaced.size();
    // Property: the render loads to the patched objects.
    kfix::LoadResult before = kfix::LoadManifests(*text, file);
    kfix::LoadResult after = kfix::LoadManifests(r->text, file);
    if (!after.errors.empty() || after.manifests.size() != before.manifests.size()) {
      Fail(file, "the render does not load to the same objects");
      continue;
    }
    for (std::size_t i = 0; i < before.manifests.size(); ++i) {
      kfix::Value want = before.manifests[i].root;
      for (const kfix::ObjectPatch& p : patches) {
        bool is_refused = false;
        for (const auto& x : r->refused) is_refused = is_refused || (x.document == p.document && x.item == p.item);
        if (p.document == before.manifests[i].document && p.item == before.manifests[i].item && !is_refused) {
          (void)kfix::ApplyPatch(want, p.patch);
        }
      }
      if (after.manifests[i].root != want) Fail(file, "object " + std::to_string(i) + " differs from the patched one");
    }
    // Bytes outside the replaced ranges are kept, in order (insertions may
    // come between them): they are a subsequence of the output.
    bool kept = true;
    {
      std::size_t at = 0, cursor = 0;
      auto segment = [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e && kept; ++i) {
          while (at < r->text.size() && r->text[at] != (*text)[i]) ++at;
          if (at >= r->text.size()) kept = false;
          ++at;
        }
      };
      for (const auto& [b, e] : r->replaced) {
        segment(cursor, b);
        cursor = e;
      }
      segment(cursor, text->size());
    }
    if (!kept) {
      ++outside;
      Fail(file, "bytes outside the replaced ranges changed");
    }
    // Each replaced range lies inside a node the patches address.
    const std::vector<std::size_t> starts = LineStarts(*text);
    for (const auto& [b, e] : r->replaced) {
      const auto lb = static_cast<std::int32_t>(LineOf(starts, b));
      const auto le = static_cast<std::int32_t>(LineOf(starts, e > b ? e - 1 : b));
      bool inside = false;
      for (const kfix::ObjectPatch& p : patches) {
        const kfix::Manifest* m = nullptr;
        for (const kfix::Manifest& x : before.manifests) {
          if (x.document == p.document && x.item == p.item) m = &x;
        }
        if (!m) continue;
        for (const kfix::PatchOp& op : p.patch) {
          kfix::JsonPointer ptr = op.path;
          const kfix::Value* node = kfix::Lookup(m->root, ptr);
          std::int32_t first = node ? node->line() : 0;
          if (node && !ptr.empty()) {  // a member's lines start at its key
            const kfix::Value* parent = kfix::Lookup(m->root, ptr.Parent());
            if (parent && parent->is_object()) {
              if (const kfix::Member* mem = parent->FindMember(ptr.back())) first = mem->key_line;
            }
          }
          if (!node && !ptr.empty()) {
            node = kfix::Lookup(m->root, ptr.Parent());
            first = node ? node->line() : 0;
          }
          if (node && lb >= first && le <= LastLine(*node)) inside = true;
          // Removing the last items or members leaves `[]` / `{}` on the
          // parent's key line: the parent is the edited node then.
          if (op.op == kfix::PatchOpType::kRemove && !ptr.empty()) {
            const kfix::JsonPointer up = ptr.Parent();
            const kfix::Value* parent = kfix::Lookup(m->root, up);
            std::int32_t pfirst = parent ? parent->line() : 0;
            if (parent && !up.empty()) {
              const kfix::Value* grand = kfix::Lookup(m->root, up.Parent());
              if (grand && grand->is_object()) {
                if (const kfix::Member* mem = grand->FindMember(up.back())) pfirst = mem->key_line;
              }
            }
            if (parent && lb >= pfirst && le <= LastLine(*parent)) inside = true;
          }
        }
      }
      if (!inside) {
        ++outside;
        Fail(file, "replaced lines " + std::to_string(lb) + "-" + std::to_string(le) + " are outside the patched nodes");
      }
    }
    // Comments outside the replaced ranges are all still there.
    std::vector<std::string> want_c = Comments(*text, &r->replaced), got_c = Comments(r->text, nullptr);
    std::vector<std::string> missing;
    std::set_difference(want_c.begin(), want_c.end(), got_c.begin(), got_c.end(), std::back_inserter(missing));
    if (!missing.empty()) {
      lost_comments += missing.size();
      Fail(file, "lost comment: " + missing[0]);
    }
  }
  std::printf("corpus.render: %zu files with accepted fixes, %zu rendered, %zu changed, %zu with a re-emitted node, "
              "%zu objects refused (shared anchors)\n",
              by_file.size(), rendered, changed, renotes, refused);
  std::printf("corpus.render: %zu replaced ranges; files with a byte changed outside the patched nodes: %zu; "
              "lost comments: %zu\n",
              ranges, outside, lost_comments);
  std::printf("corpus.render: fix %.3f s, render %.3f s (%.1f%%, informational)\n", fix_s, render_s,
              fix_s > 0 ? 100.0 * render_s / fix_s : 0.0);
  std::printf("corpus.render: %s (%d failures)\n", failures == 0 ? "PASS" : "FAIL", failures);
  return failures == 0 ? 0 : 1;
}
