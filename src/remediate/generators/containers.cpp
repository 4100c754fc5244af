// Containers: images and environment variables.
// Fix generators of this domain; the file registers its own entries (remediate/generator_helpers.hpp).
#include <cctype>
#include <map>

#include "remediate/generator_helpers.hpp"

namespace kfix::internal::generators {
namespace {

/// The repository part of an image reference (without tag or digest).
std::string ImageRepository(std::string_view image) {
  std::string_view s = image;
  if (auto at = s.find('@'); at != std::string_view::npos) s = s.substr(0, at);
  std::size_t slash = s.rfind('/');
  std::size_t colon = s.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) s = s.substr(0, colon);
  return std::string(s);
}

/// kube-linter's latest-tag block list: ":latest" or no tag (digests pass).
bool ImageIsUnpinned(std::string_view image) {
  if (image.find('@') != std::string_view::npos) return false;
  std::size_t slash = image.rfind('/');
  std::size_t colon = image.rfind(':');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) return true;
  return image.substr(colon + 1) == "latest";
}

Outcome FixLatestTag(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) -> Outcome {
    const Value* image = Field(Current(b, c), "image");
    if (!image || !image->is_string() || image->as_string().empty())
      return Outcome::Review("container \"" + c.name + "\" has no image; kfix never invents one");
    const std::string& img = image->as_string();
    if (!ImageIsUnpinned(img)) return Outcome::Ok();
    auto it = g.config.image_pins.find(img);
    if (it == g.config.image_pins.end()) it = g.config.image_pins.find(ImageRepository(img));
    if (it == g.config.image_pins.end())
      return Outcome::Review("no pinned image configured for \"" + img +
                             "\" (add it to fix.imagePins); kfix never invents a tag");
    if (ImageIsUnpinned(it->second))
      return Outcome::Review("the configured pin for \"" + img + "\" (\"" + it->second + "\") is itself unpinned");
    b.Set(c.pointer.Child("image"), it->second);
    return Outcome::Ok();
  });
}

Outcome FixDuplicateEnv(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* env = Field(Current(b, c), "env");
    if (!env || !env->is_array()) return Outcome::Ok();
    // Kubernetes resolves duplicates last-wins: keep the last occurrence so
    // the effective environment does not change.
    std::map<std::string, std::size_t> last;
    const auto& arr = env->as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const Value* n = Field(&arr[i], "name");
      if (n && n->is_string()) last[n->as_string()] = i;
    }
    std::vector<std::size_t> remove;
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const Value* n = Field(&arr[i], "name");
      if (n && n->is_string() && last[n->as_string()] != i) remove.push_back(i);
    }
    b.RemoveIndices(c.pointer.Child("env"), remove);
    return Outcome::Ok();
  });
}

std::string SecretNameFor(std::string_view env_name) {
  std::string out;
  bool dash = false;
  for (char ch : env_name) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (std::isalnum(u)) {
      if (dash && !out.empty()) out.push_back('-');
      dash = false;
      out.push_back(static_cast<char>(std::tolower(u)));
    } else {
      dash = true;
    }
  }
  if (out.empty()) out = "app";
  return out + "-secret";
}

std::string SecretKeyFor(std::string_view env_name) {
  std::string out;
  for (char ch : env_name) {
    unsigned char u = static_cast<unsigned char>(ch);
    out.push_back(std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_');
  }
  return out.empty() ? "value" : out;
}

Outcome FixEnvVarSecret(const GenCtx& g, OpBuilder& b) {
  std::string var = Quoted(g.finding.message);  // fallback
  const std::string& m = g.finding.message;
  if (auto p = m.find("environment variable "); p != std::string::npos) {
    std::size_t s = p + 21, e = m.find(' ', s);
    var = m.substr(s, e == std::string::npos ? std::string::npos : e - s);
  }
  Outcome o = ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* env = Field(Current(b, c), "env");
    if (!env || !env->is_array()) return Outcome::Ok();
    for (std::size_t i = 0; i < env->as_array().size(); ++i) {
      const Value& e = env->as_array()[i];
      const Value* n = Field(&e, "name");
      const Value* v = Field(&e, "value");
      if (!n || !n->is_string() || !v || v->string_or().empty()) continue;
      bool match = var.empty() ? Contains(ToLower(n->as_string()), "secret") : n->as_string() == var;
      if (!match) continue;
      Value entry = Value::MakeObject();
      entry.Set("name", n->as_string());
      Value ref = Value::MakeObject();
      ref.Set("name", SecretNameFor(n->as_string()));
      ref.Set("key", SecretKeyFor(n->as_string()));
      Value vf = Value::MakeObject();
      vf.Set("secretKeyRef", ref);
      entry.Set("valueFrom", vf);
      b.Set(c.pointer.Child("env").Child(i), entry);
    }
    return Outcome::Ok();
  });
  if (o.status != ProposalStatus::kProposed) return o;
  if (b.patch().empty()) return o;
  return Outcome::Review(
      "the literal value must first be stored in a Secret; the suggested patch references a Secret that kfix "
      "cannot create");
}

}  // namespace

KFIX_REGISTER_GENERATORS(containers) {
  registry.Add({
    {"latest-tag", {FixLatestTag, false}},
    {"env-var-secret", {FixEnvVarSecret, false}},
    {"duplicate-env-var", {FixDuplicateEnv, true}},
    {"no_latest_tag", {FixLatestTag, false}},
    {"env_var_secret", {FixEnvVarSecret, false}},
    {"duplicate_env_var", {FixDuplicateEnv, true}},
  });
}

}  // namespace kfix::internal::generators
