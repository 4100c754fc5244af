// Engine write-back: the format-preserving renderer of the pipeline layer
// (kfix::RenderFixedFiles, kfix::WriteBack) with the engine's parse options.
#include "kfix/engine.hpp"

namespace kfix {

Result<std::vector<WrittenFile>> Engine::Render(const FixReport& report) const {
  return RenderFixedFiles(report, config().parse);
}

Result<WriteBackResult> Engine::WriteBack(const FixReport& report, const std::vector<std::string>& paths,
                                          WriteBackOptions options) const {
  options.parse = config().parse;
  return kfix::WriteBack(report, paths, options);
}

Status Engine::WriteKustomize(const FixReport& report, const std::vector<std::string>& paths,
                              const std::string& directory) const {
  return WriteKustomizeOverlay(report, paths, directory);
}

}  // namespace kfix
