// The core layer's documents: a Status and a load result as JSON values.
// Every kfix document and surface renders errors with StatusToValue.
#include "kfix/core.hpp"

namespace kfix {

Value ObjectRefToValue(const ObjectRef& o) {
  Value v = Value::MakeObject();
  v.Set("apiVersion", o.api_version);
  v.Set("kind", o.kind);
  v.Set("namespace", o.namespace_);
  v.Set("name", o.name);
  return v;
}

Value StatusToValue(const Status& s) {
  Value v = Value::MakeObject();
  const SourceLocation& l = s.location();
  v.Set("code", StatusCodeName(s.code()));
  v.Set("message", s.message());
  // One rule for every location member: present when known.
  if (!l.file.empty()) v.Set("file", l.file);
  if (l.line > 0) v.Set("line", l.line);
  if (l.column > 0) v.Set("column", l.column);
  if (l.document >= 0) v.Set("document", l.document);
  if (l.item >= 0) v.Set("item", l.item);
  if (!l.pointer.empty()) v.Set("pointer", l.pointer);
  return v;
}

Value LoadResultToValue(const LoadResult& loaded, bool with_objects) {
  Value out = Value::MakeObject();
  out.Set("schemaVersion", 2);
  Value objects = Value::MakeArray();
  for (const Manifest& m : loaded.manifests) {
    const ObjectRef ref = m.Ref();
    Value o = Value::MakeObject();
    o.Set("file", m.file);
    o.Set("document", m.document);
    if (m.item >= 0) o.Set("item", m.item);
    o.Set("line", m.root.line());
    o.Set("column", m.root.column());
    Value identity = ObjectRefToValue(ref);
    for (Member& member : identity.as_object()) o.Set(member.key, std::move(member.value));
    if (with_objects) o.Set("object", m.root);
    objects.PushBack(std::move(o));
  }
  out.Set("objects", std::move(objects));
  Value errors = Value::MakeArray();
  for (const Status& e : loaded.errors) errors.PushBack(StatusToValue(e));
  out.Set("errors", std::move(errors));
  Value warnings = Value::MakeArray();
  for (const Status& w : loaded.warnings) warnings.PushBack(StatusToValue(w));
  out.Set("warnings", std::move(warnings));
  return out;
}

}  // namespace kfix
