// CEL checks: kube-linter's `cel-expression` template over kfix's CEL
// evaluator (rules/cel/, docs/cel.md).
// Check templates of this domain; the file registers its own entries (rules/template_helpers.hpp).
#include "rules/cel/cel_internal.hpp"
#include "rules/template_helpers.hpp"

namespace kfix::internal::templates {
namespace {

// Go's %v of a CEL result that is not a string (kube-linter's "expected
// string, got %v").
std::string GoValue(const CelVal& v) {
  switch (v.kind()) {
    case CelVal::Kind::kNull: return "NULL_VALUE";
    case CelVal::Kind::kUint: return std::to_string(v.as_uint());
    default: return v.DebugString();
  }
}

Result<std::shared_ptr<const CelProgram>> CompileParam(const Params& p, const char* name) {
  KFIX_ASSIGN_OR_RETURN(text, p.String(name));
  CelCompileOptions options;
  options.variables = {"object", "objects"};
  options.lenient_has = true;
  auto program = CelProgram::Compile(text, options);
  if (!program.ok()) {
    SourceLocation loc;
    if (const Value* at = p.Get(name)) {
      loc.line = at->line();
      loc.column = at->column();
    }
    return Status(StatusCode::kInvalidArgument,
                  std::string("parameter \"") + name + "\": CEL expression " + program.status().message(), loc);
  }
  return program;
}

// cel-expression -----------------------------------------------------------------
// kube-linter binds `object` (the object checked) and `objects` (every object
// of the lint context) as JSON-decoded maps, so every number is a double; the
// check must return a string: empty means no finding, anything else is the
// finding's message.
Result<std::unique_ptr<CheckImpl>> CelExpression(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(check_text, p.String("check"));
  if (check_text.find_first_not_of(" \t\r\n") == std::string::npos) {
    SourceLocation loc;
    if (const Value* at = p.Get("check")) {
      loc.line = at->line();
      loc.column = at->column();
    }
    return Status(StatusCode::kInvalidArgument, "parameter \"check\" (a CEL expression returning a string) is required",
                  loc);
  }
  KFIX_ASSIGN_OR_RETURN(check, CompileParam(p, "check"));
  std::shared_ptr<const CelProgram> filter;
  KFIX_ASSIGN_OR_RETURN(filter_text, p.String("filter"));
  if (filter_text.find_first_not_of(" \t\r\n") != std::string::npos) {
    KFIX_ASSIGN_OR_RETURN(f, CompileParam(p, "filter"));
    filter = std::move(f);
  }
  const std::vector<std::string> path = check->FirstPathOf("object");
  std::string pointer;
  for (const std::string& t : path) pointer = Ptr(pointer, t);
  const bool wants_objects = check->Uses("objects") || (filter && filter->Uses("objects"));
  return Make([check, filter, pointer, wants_objects](const ObjectInfo& o, const LintIndex& ctx, Sink& sink) {
    std::vector<std::pair<std::string, CelVal>> bindings;
    bindings.emplace_back("object", CelVal::FromValue(o.root(), /*numbers_as_double=*/true));
    if (wants_objects) {
      std::vector<const Value*> all;
      all.reserve(ctx.objects.size());
      for (const ObjectInfo* other : ctx.objects) all.push_back(&other->root());
      bindings.emplace_back("objects", CelVal::ListOfValues(std::move(all), /*numbers_as_double=*/true));
    }
    if (filter) {
      CelVal keep = filter->Evaluate(bindings);
      if (keep.is_error()) {
        sink.Add("error evaluating CEL filter expression: " + filter->ErrorText(keep), pointer);
        return;
      }
      if (!keep.is_bool()) {
        sink.Add("error evaluating CEL filter expression: expected bool, got " + GoValue(keep), pointer);
        return;
      }
      if (!keep.as_bool()) return;
    }
    CelVal out = check->Evaluate(bindings);
    if (out.is_error()) {
      sink.Add("error evaluating CEL check expression: failed to evaluate CEL expression: " + check->ErrorText(out),
               pointer);
    } else if (out.kind() != CelVal::Kind::kString) {
      sink.Add("error evaluating CEL check expression: expected string, got " + GoValue(out), pointer);
    } else if (!out.text().empty()) {
      sink.Add("CEL check expression returned: " + out.text(), pointer);
    }
  });
}

}  // namespace

KFIX_REGISTER_TEMPLATES(cel) {
  registry.Add({
      {"cel-expression", "Flag objects with CEL expression", {"Any"}, {"check", "filter"}, CelExpression,
       kNeedsLintContext,
       "As kube-linter at its head of 2026-08-19 (pkg/templates/cel): `check` is a CEL expression over `object` (the "
       "object checked) and `objects` (every object of the lint context, the checked one included) that returns a "
       "string; an empty string is no finding, any other string is reported as `CEL check expression returned: "
       "<string>`. A result that is not a string is reported as `error evaluating CEL check expression: expected "
       "string, got <value>`, an evaluation error as `error evaluating CEL check expression: failed to evaluate CEL "
       "expression: LINE:COLUMN: <cause>`. Numbers read as doubles (kube-linter decodes objects from JSON). "
       "Deliberate differences: a syntax error, an undeclared variable or an unknown function refuses the "
       "configuration with the position in the expression (kube-linter reports it on every object); `has(a.b.c)` is "
       "false when `a.b` is missing (kube-linter sees known kinds through Go structs whose struct-valued fields "
       "always exist, see docs/cel.md); `filter`, which kube-linter accepts and ignores, is applied: a CEL expression "
       "over the same variables that must return a bool, and objects for which it is false are not checked. The "
       "CEL subset, error semantics and limits are in docs/cel.md."},
  });
}

}  // namespace kfix::internal::templates
