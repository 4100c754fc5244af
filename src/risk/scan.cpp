// Scan-and-score glue: findings of the rules engine to scored findings.
#include <string>

#include "kfix/risk.hpp"

namespace kfix {

std::vector<ScoredFinding> ScoreFindings(const RiskScorer& scorer, const std::vector<Finding>& findings,
                                         const std::vector<Manifest>& objects) {
  std::vector<ScoredFinding> out;
  out.reserve(findings.size());
  for (const Finding& f : findings) {
    std::vector<std::string> images;
    if (f.object_index < objects.size()) images = WorkloadImages(objects[f.object_index].root, f.container);
    out.push_back(ScoredFinding{f, scorer.Score(f, images)});
  }
  return out;
}

Value RiskReportToValue(const RiskReport& report) {
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 2);
  Value results = Value::MakeArray();
  for (const ScoredFinding& s : report.results) {
    Value r = Value::MakeObject();
    const Finding& f = s.finding;
    r.Set("check", f.check);
    r.Set("policy", f.policy);
    r.Set("file", f.file);
    r.Set("document", f.document);
    if (f.item >= 0) r.Set("item", f.item);
    r.Set("line", f.line);
    r.Set("object", ObjectRefToValue(f.object));
    r.Set("container", f.container);
    Value rv = RiskResultToValue(s.risk);
    for (Member& m : rv.as_object()) r.Set(m.key, std::move(m.value));
    results.PushBack(std::move(r));
  }
  v.Set("results", std::move(results));
  Value errors = Value::MakeArray();
  for (const Status& e : report.errors) errors.PushBack(StatusToValue(e));
  v.Set("errors", std::move(errors));
  v.Set("files", report.files);
  v.Set("objects", report.objects);
  return v;
}

Value RiskReportToValue(const RiskReport& report, const LoadedFeeds& feeds) {
  Value v = RiskReportToValue(report);
  v.Set("feeds", feeds.ToValue());
  return v;
}

}  // namespace kfix

namespace kfix {

RiskFeeds LoadedFeeds::View() const {
  RiskFeeds f;
  f.epss = has_epss ? &epss : nullptr;
  f.kev = has_kev ? &kev : nullptr;
  f.images = has_images ? &images : nullptr;
  return f;
}

std::vector<Status> LoadedFeeds::Malformed() const {
  std::vector<Status> out;
  for (const auto* list : {&epss.malformed, &kev.malformed, &images.malformed}) {
    out.insert(out.end(), list->begin(), list->end());
  }
  return out;
}

Value LoadedFeeds::ToValue() const {
  Value v = Value::MakeObject();
  if (has_epss) {
    Value e = Value::MakeObject();
    e.Set("source", epss.source);
    e.Set("modelVersion", epss.model_version);
    e.Set("scoreDate", epss.score_date);
    e.Set("scores", static_cast<std::int64_t>(epss.scores.size()));
    e.Set("malformed", static_cast<std::int64_t>(epss.malformed.size()));
    v.Set("epss", std::move(e));
  }
  if (has_kev) {
    Value k = Value::MakeObject();
    k.Set("source", kev.source);
    k.Set("catalogVersion", kev.catalog_version);
    k.Set("entries", static_cast<std::int64_t>(kev.entries.size()));
    k.Set("malformed", static_cast<std::int64_t>(kev.malformed.size()));
    v.Set("kev", std::move(k));
  }
  if (has_images) {
    Value i = Value::MakeObject();
    i.Set("images", static_cast<std::int64_t>(images.by_image.size()));
    i.Set("malformed", static_cast<std::int64_t>(images.malformed.size()));
    v.Set("images", std::move(i));
  }
  return v;
}

Result<LoadedFeeds> LoadRiskFeeds(const RiskFeedFiles& files) {
  LoadedFeeds out;
  if (!files.epss.empty()) {
    Result<EpssTable> t = LoadEpssCsv(files.epss);
    if (!t.ok()) return t.status();
    out.epss = std::move(*t);
    out.has_epss = true;
  }
  if (!files.kev.empty()) {
    Result<KevCatalog> k = LoadKevJson(files.kev);
    if (!k.ok()) return k.status();
    out.kev = std::move(*k);
    out.has_kev = true;
  }
  for (const std::string& path : files.trivy) {
    KFIX_RETURN_IF_ERROR(LoadTrivyReport(path, out.images));
    out.has_images = true;
  }
  return out;
}

}  // namespace kfix
