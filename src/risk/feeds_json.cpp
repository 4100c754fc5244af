// CISA KEV catalog and Trivy image-report loaders (JSON via kfix::ParseJson).
#include <algorithm>
#include <string>

#include "kfix/risk.hpp"
#include "risk/util.hpp"

namespace kfix {
namespace {

SourceLocation At(std::string_view source, const Value& v) {
  SourceLocation l;
  l.file = std::string(source);
  l.line = v.line();
  l.column = v.column();
  return l;
}

std::string StringMember(const Value& obj, std::string_view key) {
  const Value* v = obj.Find(key);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

Status AddKevEntry(const Value& e, std::size_t index, std::string_view source, KevCatalog& cat) {
  if (!e.is_object()) {
    cat.malformed.push_back(ParseError("vulnerabilities[" + std::to_string(index) + "] is not an object", At(source, e)));
    return Status::Ok();
  }
  const Value* id = e.Find("cveID");
  if (id == nullptr) id = e.Find("cve_id");
  if (id == nullptr || !id->is_string() || !internal::LooksLikeCve(internal::TrimAscii(id->as_string()))) {
    cat.malformed.push_back(ParseError("vulnerabilities[" + std::to_string(index) + "] has no valid cveID",
                                       At(source, id != nullptr ? *id : e)));
    return Status::Ok();
  }
  KevEntry entry;
  entry.cve_id = internal::UpperAscii(internal::TrimAscii(id->as_string()));
  entry.date_added = StringMember(e, "dateAdded");
  entry.known_ransomware_use = internal::UpperAscii(StringMember(e, "knownRansomwareCampaignUse")) == "KNOWN";
  std::string key = entry.cve_id;
  cat.entries.insert_or_assign(std::move(key), std::move(entry));
  return Status::Ok();
}

double MaxCvssScore(const Value& vuln) {
  double best = -1.0;
  const Value* cvss = vuln.Find("CVSS");
  if (cvss == nullptr || !cvss->is_object()) return best;
  for (const Member& vendor : cvss->as_object()) {
    if (!vendor.value.is_object()) continue;
    for (const char* key : {"V3Score", "V40Score", "V2Score"}) {
      const Value* s = vendor.value.Find(key);
      if (s != nullptr && s->is_number()) {
        best = std::max(best, s->as_number());
        break;  // prefer V3 over V2 for the same vendor
      }
    }
  }
  return best;
}

Status AddOneTrivyReport(const Value& report, std::string_view source, ImageVulnerabilities& out) {
  if (!report.is_object()) return ParseError("Trivy report is not a JSON object", At(source, report));
  const Value* artifact = report.Find("ArtifactName");
  if (artifact == nullptr || !artifact->is_string() || artifact->as_string().empty()) {
    return ParseError("Trivy report has no ArtifactName (the image reference)", At(source, report));
  }
  std::vector<ImageVulnerability>& vulns = out.by_image[artifact->as_string()];
  const Value* results = report.Find("Results");
  if (results == nullptr || results->is_null()) return Status::Ok();  // clean image
  if (!results->is_array()) return ParseError("Trivy Results is not an array", At(source, *results));
  for (const Value& result : results->as_array()) {
    const Value* list = result.Find("Vulnerabilities");
    if (list == nullptr || list->is_null()) continue;
    if (!list->is_array()) {
      out.malformed.push_back(ParseError("Vulnerabilities is not an array", At(source, *list)));
      continue;
    }
    for (const Value& v : list->as_array()) {
      std::string id = v.is_object() ? StringMember(v, "VulnerabilityID") : std::string();
      std::string sev = v.is_object() ? internal::UpperAscii(StringMember(v, "Severity")) : std::string();
      if (id.empty() || sev.empty()) {
        out.malformed.push_back(ParseError("vulnerability without VulnerabilityID or Severity", At(source, v)));
        continue;
      }
      ImageVulnerability iv;
      iv.id = internal::UpperAscii(id);
      iv.package = StringMember(v, "PkgName");
      iv.severity = sev;
      iv.cvss = MaxCvssScore(v);
      bool dup = std::any_of(vulns.begin(), vulns.end(), [&](const ImageVulnerability& o) {
        return o.id == iv.id && o.package == iv.package;
      });
      if (!dup) vulns.push_back(std::move(iv));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<KevCatalog> ParseKevJson(std::string_view text, std::string_view source_name) {
  Result<Value> doc = ParseJson(text);
  if (!doc.ok()) return doc.status().WithDefaultLocation(internal::FileLoc(std::string(source_name)));
  KevCatalog cat;
  cat.source = std::string(source_name);
  const Value* list = nullptr;
  if (doc->is_array()) {
    list = &*doc;
  } else if (doc->is_object()) {
    cat.catalog_version = StringMember(*doc, "catalogVersion");
    cat.date_released = StringMember(*doc, "dateReleased");
    list = doc->Find("vulnerabilities");
    if (list == nullptr || !list->is_array()) {
      return ParseError("KEV catalog has no \"vulnerabilities\" array", At(source_name, *doc));
    }
  } else {
    return ParseError("KEV catalog must be an object or an array", At(source_name, *doc));
  }
  const Value::Array& arr = list->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) KFIX_RETURN_IF_ERROR(AddKevEntry(arr[i], i, source_name, cat));
  return cat;
}

Result<KevCatalog> LoadKevJson(const std::string& path) {
  Result<std::string> data = internal::ReadWholeFile(path);
  if (!data.ok()) return data.status();
  if (internal::IsGzip(*data)) {
    Result<std::string> inflated = internal::Gunzip(*data, path, std::size_t{1} << 30);
    if (!inflated.ok()) return inflated.status();
    return ParseKevJson(*inflated, path);
  }
  return ParseKevJson(*data, path);
}

Status AddTrivyReport(std::string_view text, std::string_view source_name, ImageVulnerabilities& out) {
  Result<Value> doc = ParseJson(text);
  if (!doc.ok()) return doc.status().WithDefaultLocation(internal::FileLoc(std::string(source_name)));
  if (doc->is_array()) {
    for (const Value& r : doc->as_array()) KFIX_RETURN_IF_ERROR(AddOneTrivyReport(r, source_name, out));
    return Status::Ok();
  }
  return AddOneTrivyReport(*doc, source_name, out);
}

Status LoadTrivyReport(const std::string& path, ImageVulnerabilities& out) {
  Result<std::string> data = internal::ReadWholeFile(path);
  if (!data.ok()) return data.status();
  return AddTrivyReport(*data, path, out);
}

}  // namespace kfix
