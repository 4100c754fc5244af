// A tiny RuleSet for guard tests: flags privileged containers and containers
// without readOnlyRootFilesystem, one finding per container, like kube-linter.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/rules.hpp"

namespace kfixtest {

class FakeRules : public kfix::RuleSet {
 public:
  FakeRules() {
    for (const char* n : {"no-read-only-root-fs", "privileged-container"}) {
      kfix::CheckInfo c;
      c.name = n;
      checks_.push_back(c);
    }
  }
  const std::vector<kfix::CheckInfo>& checks() const noexcept override { return checks_; }
  bool IsEnabled(std::string_view c) const noexcept override {
    return c == "no-read-only-root-fs" || c == "privileged-container";
  }
  bool IsPathIgnored(std::string_view) const noexcept override { return false; }
  kfix::ScanReport Scan(const std::vector<kfix::Manifest>& objects, const kfix::ScanOptions& = {}) const override {
    kfix::ScanReport r;
    for (std::size_t i = 0; i < objects.size(); ++i) {
      auto view = kfix::ViewWorkload(objects[i].root);
      if (!view) continue;
      for (const kfix::ContainerRef& c : view->containers) {
        const kfix::Value* sc = c.container->Find("securityContext");
        const kfix::Value* priv = sc && sc->is_object() ? sc->Find("privileged") : nullptr;
        const kfix::Value* ro = sc && sc->is_object() ? sc->Find("readOnlyRootFilesystem") : nullptr;
        if (priv && priv->is_bool() && priv->as_bool())
          r.findings.push_back(Make(objects[i], i, "privileged-container", c.name,
                                    "container \"" + c.name + "\" is privileged"));
        if (!(ro && ro->is_bool() && ro->as_bool()))
          r.findings.push_back(Make(objects[i], i, "no-read-only-root-fs", c.name,
                                    "container \"" + c.name + "\" does not have a read-only root file system"));
      }
    }
    return r;
  }
  kfix::ScanReport ScanPaths(const std::vector<std::string>&, const kfix::ScanOptions& = {},
                             const kfix::ParseOptions& = {}) const override {
    return {};
  }
  kfix::ScanReport ScanText(std::string_view, std::string_view, const kfix::ScanOptions& = {},
                            const kfix::ParseOptions& = {}) const override {
    return {};
  }

 private:
  static kfix::Finding Make(const kfix::Manifest& m, std::size_t i, std::string check, std::string container,
                            std::string message) {
    kfix::Finding f;
    f.check = std::move(check);
    f.container = std::move(container);
    f.message = std::move(message);
    f.file = m.file;
    f.document = m.document;
    f.object = m.Ref();
    f.object_index = i;
    return f;
  }
  std::vector<kfix::CheckInfo> checks_;
};

}  // namespace kfixtest
