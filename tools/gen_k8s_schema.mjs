#!/usr/bin/env node
// Generates src/rules/k8s_schema_data.inc, the built-in Kubernetes schema table, from the npm package
// `kubernetes-models` (MIT; generated from the Kubernetes OpenAPI spec).
//
//   node tools/gen_k8s_schema.mjs > src/rules/k8s_schema_data.inc
//   node tools/gen_k8s_schema.mjs --modules DIR > ...   (DIR: a node_modules that already holds the package)
//
// Without --modules the script installs kubernetes-models@VERSION with npm into a temporary directory
// (outside the source tree) and removes it afterwards. Building kfix never needs npm: the output is committed.
//
// Where each fact comes from:
// - the fields, which are required (no `?`), list items (`Array<T>`), maps (`{ [key: string]: T }`) and the
//   definitions they refer to: the TypeScript declarations (`*.d.ts`) the package ships;
// - integer versus number (TypeScript has only `number`): the package's own compiled validators
//   (`_schemas/*.js`), probed with 0.5 for every numeric field (an `integer` field rejects it);
// - int-or-string, quantity, time, and free-form values (RawExtension, JSON, FieldsV1, empty definitions):
//   by the definition they refer to;
// - closed sets of strings (`"Always" | "IfNotPresent" | "Never"`): the declarations' string-literal unions.
// A kind is a definition whose `apiVersion` and `kind` are string literals; the table holds every kind and the
// definitions reachable from it.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const VERSION = "5.1.0";
// kubernetes-models' changelog: 5.0.0 "Update to Kubernetes v1.36.0"; 5.1.0 keeps that schema version.
const KUBERNETES_VERSION = "v1.36.0";

const args = process.argv.slice(2);
let modules = null;
for (let i = 0; i < args.length; ++i) {
  if (args[i] === "--modules") modules = args[++i];
  else {
    process.stderr.write(`usage: gen_k8s_schema.mjs [--modules NODE_MODULES_DIR]\n`);
    process.exit(2);
  }
}
let tmp = null;
if (!modules) {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kfix-k8s-schema-"));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--silent", "--prefix", tmp, `kubernetes-models@${VERSION}`],
               { stdio: ["ignore", "ignore", "inherit"] });
  modules = path.join(tmp, "node_modules");
}


async function main(modules) {
  const pkgs = [path.join(modules, "kubernetes-models"), path.join(modules, "@kubernetes-models", "apimachinery")];
  const installed = JSON.parse(fs.readFileSync(path.join(pkgs[0], "package.json"), "utf8")).version;
  if (installed !== VERSION) throw new Error(`kubernetes-models ${installed} found, ${VERSION} expected`);

  // 1. Parse every interface: full definition name -> {fields: [{name, type, required}]}.
  const defs = new Map();   // full name (IoK8s...) -> {props, schemaFile}
  const aliases = new Map(); // full name -> "string" | "intorstring" | "quantity" (type aliases)
  for (const pkg of pkgs) {
    for (const file of walk(pkg)) {
      if (!file.endsWith(".d.ts") || file.includes(`${path.sep}_schemas${path.sep}`)) continue;
      parseDts(fs.readFileSync(file, "utf8"), pkg, defs, aliases);
    }
  }

  // 2. Kinds: apiVersion and kind are literals.
  const kinds = [];
  for (const [name, d] of defs) {
    const av = d.props.find((p) => p.name === "apiVersion");
    const k = d.props.find((p) => p.name === "kind");
    if (!av || !k) continue;
    if (av.type.k === "lit" && av.type.value && k.type.k === "lit" && k.type.value) {
      kinds.push({ apiVersion: av.type.value, kind: k.type.value, def: name });
    }
  }
  kinds.sort((a, b) => cmp(a.kind, b.kind) || cmp(a.apiVersion, b.apiVersion));

  // 3. Resolve types, reachable from the kinds.
  const types = [];           // [kind, arg]
  const typeIds = new Map();  // key -> id
  const defIds = new Map();   // full name -> index
  const defList = [];         // {name, fields:[{name, type, required}]}
  const unresolved = new Set();
  const enums = [];            // sorted value lists
  const enumIds = new Map();   // JSON of the list -> index
  const intern = (kind, arg) => {
    const key = `${kind}:${arg}`;
    if (!typeIds.has(key)) {
      typeIds.set(key, types.length);
      types.push([kind, arg]);
    }
    return typeIds.get(key);
  };
  const special = {
    IoK8sApimachineryPkgUtilIntstrIntOrString: "kIntOrString",
    IoK8sApimachineryPkgApiResourceQuantity: "kQuantity",
    IoK8sApimachineryPkgApisMetaV1Time: "kString",
    IoK8sApimachineryPkgApisMetaV1MicroTime: "kString",
  };
  const pending = [];
  const defIndex = (full) => {
    if (!defIds.has(full)) {
      defIds.set(full, defList.length);
      defList.push({ name: full, fields: null });
      pending.push(full);
    }
    return defIds.get(full);
  };
  const resolve = (t, owner, ownerFull, prop) => {
    switch (t.k) {
      case "array": return intern("kArray", resolve(t.elem, owner, ownerFull, prop));
      case "map": return intern("kMap", resolve(t.elem, owner, ownerFull, prop));
      case "lit": return intern("kString", 0);
      case "enum": { // a closed set of strings: the guard checks written values against it
        const key = JSON.stringify([...t.values].sort());
        if (!enumIds.has(key)) {
          enumIds.set(key, enums.length);
          enums.push(JSON.parse(key));
        }
        return intern("kEnum", enumIds.get(key));
      }
      case "union": unresolved.add(`${ownerFull}.${prop} (union)`); return intern("kAny", 0);
      case "prim": return intern({ string: "kString", boolean: "kBoolean", number: "kNumber" }[t.name], 0);
      case "inline": { // an anonymous struct: a definition of its own, probed through its owner's validator
        const full = `${ownerFull}.${prop}`;
        if (!defs.has(full)) {
          defs.set(full, { props: t.props, local: owner.local, schemaFile: owner.schemaFile, short: `${owner.short}.${prop}`,
                           probePrefix: [prop, 0] });
        }
        return intern("kObject", defIndex(full));
      }
      case "ref": {
        const full = t.name.startsWith("IIoK8s") ? t.name.slice(1) : owner.local.get(t.name);
        if (full && special[full]) return intern(special[full], 0);
        if (full && aliases.has(full)) return intern(aliases.get(full), 0);
        if (full && defs.has(full) && defs.get(full).props.length > 0) return intern("kObject", defIndex(full));
        if (!full || !defs.has(full)) unresolved.add(t.name);
        return intern("kAny", 0);
      }
    }
    throw new Error(`unknown type ${JSON.stringify(t)}`);
  };
  for (const k of kinds) k.index = defIndex(k.def);
  while (pending.length) {
    const full = pending.shift();
    const d = defs.get(full);
    const entry = defList[defIds.get(full)];
    entry.fields = d.props.map((p) => ({ name: p.name, type: resolve(p.type, d, full, p.name), required: p.required }));
    entry.schemaFile = d.schemaFile;
    entry.short = d.short;
    entry.probePrefix = d.probePrefix || [];
  }

  // 4. Integer or number: probe the package's validators with 0.5.
  for (const entry of defList) {
    const numeric = entry.fields.filter((f) => containsNumber(types, f.type));
    if (!numeric.length) continue;
    const mod = await import(pathToFileURL(entry.schemaFile).href);
    for (const f of numeric) {
      let probe = { [f.name]: probeValue(types, f.type) };
      let prefix = "";
      for (const step of [...entry.probePrefix].reverse()) probe = typeof step === "number" ? [probe] : { [step]: probe };
      for (const step of entry.probePrefix) prefix += `/${escapePtr(String(step))}`;
      mod.validate(probe);
      const at = `${prefix}/${escapePtr(f.name)}`;
      const errs = (mod.validate.errors || []).filter((e) => e.keyword === "type" && e.params.type === "integer" &&
                                                          (e.instancePath === at || e.instancePath.startsWith(`${at}/`)));
      if (errs.length) f.type = replaceNumber(types, f.type, intern);
    }
  }

  // 5. Emit.
  for (const entry of defList) entry.fields.sort((a, b) => cmp(a.name, b.name));
  const out = [];
  out.push(`// GENERATED by tools/gen_k8s_schema.mjs: do not edit. Regenerate with`);
  out.push(`//   node tools/gen_k8s_schema.mjs > src/rules/k8s_schema_data.inc`);
  out.push(`// Source: npm kubernetes-models ${VERSION} (MIT, Copyright (c) Tommy Chen; generated from the Kubernetes`);
  out.push(`// OpenAPI spec, Kubernetes ${KUBERNETES_VERSION}): ${kinds.length} kinds, ${defList.length} definitions.`);
  out.push(`// Included by src/rules/k8s_schema.cpp only.`);
  out.push(`constexpr std::string_view kSourcePackage = "kubernetes-models ${VERSION}";`);
  out.push(`constexpr std::string_view kKubernetesVersion = "${KUBERNETES_VERSION}";`);
  out.push(`constexpr TypeDef kTypes[] = {`);
  out.push(chunk(types.map(([k, a]) => `{T::${k},${a}}`)));
  out.push(`};`);
  out.push(`constexpr FieldDef kFields[] = {`);
  let first = 0;
  const ranges = [];
  for (const entry of defList) {
    ranges.push([first, entry.fields.length]);
    first += entry.fields.length;
    out.push(chunk(entry.fields.map((f) => `{"${f.name}",${f.type},${f.required ? 1 : 0}}`)));
  }
  out.push(`};`);
  out.push(`constexpr StructDef kStructs[] = {`);
  out.push(chunk(defList.map((e, i) => `{"${e.short}",${ranges[i][0]},${ranges[i][1]}}`)));
  out.push(`};`);
  const enumValues = [];
  const enumRanges = enums.map((vals) => {
    const r = `{${enumValues.length},${vals.length}}`;
    enumValues.push(...vals);
    return r;
  });
  out.push(`constexpr std::string_view kEnumValues[] = {`);
  out.push(chunk(enumValues.map((v) => JSON.stringify(v))));
  out.push(`};`);
  out.push(`constexpr EnumDef kEnums[] = {`);
  out.push(chunk(enumRanges));
  out.push(`};`);
  out.push(`constexpr KindDef kKinds[] = {`);
  out.push(chunk(kinds.map((k) => `{"${k.kind}","${k.apiVersion}",${k.index}}`)));
  out.push(`};`);
  process.stdout.write(out.join("\n") + "\n");
  if (unresolved.size) process.stderr.write(`free-form (no definition): ${[...unresolved].sort().join(", ")}\n`);
  process.stderr.write(`${kinds.length} kinds, ${defList.length} definitions, ${first} fields, ${types.length} types, ` +
                       `${enums.length} enums\n`);
}

function parseDts(text, pkg, defs, aliases) {
  // export type { IDaemonSetSpec as IIoK8sApiAppsV1DaemonSetSpec, DaemonSetSpec as IoK8sApiAppsV1DaemonSetSpec };
  const local = new Map();
  for (const m of text.matchAll(/export type \{ (I[A-Za-z0-9]*) as I(IoK8s[A-Za-z0-9]+),/g)) local.set(m[1], m[2]);
  for (const m of text.matchAll(/^export type (I[A-Za-z0-9]+) = (.*);$/gm)) {
    const full = local.get(m[1]);
    if (full && m[2] === "string") aliases.set(full, "kString");
  }
  text = text.replace(/\/\*[\s\S]*?\*\//g, "");
  for (const m of text.matchAll(/^export interface (I[A-Za-z0-9]+)(?: extends TypeMeta)? \{/gm)) {
    const full = local.get(m[1]);
    if (!full) continue;
    const parser = new TypeParser(text, m.index + m[0].length);
    const props = parser.members();
    const schemaFile = path.join(pkg, "_schemas", `${full}.js`);
    defs.set(full, { props, local, schemaFile, short: m[1].slice(1) });
  }
}

// A parser for the TypeScript the declarations use for property types: `string`, `number`, `boolean`,
// string-literal unions, `IName`, `IName["key"]`, `Array<T>`, `{ [key: string]: T; }` and inline
// `{ "field"?: T; ... }`. A type is returned as {k: "prim"|"lit"|"ref"|"array"|"map"|"inline", ...}.
class TypeParser {
  constructor(text, pos) { this.s = text; this.i = pos; }
  ws() { while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++; }
  peek(str) { this.ws(); return this.s.startsWith(str, this.i); }
  eat(str) {
    if (!this.peek(str)) throw new Error(`expected ${str} at ${JSON.stringify(this.s.slice(this.i, this.i + 60))}`);
    this.i += str.length;
  }
  // After "{": members until "}".
  members() {
    const props = [];
    for (;;) {
      if (this.peek("}")) { this.eat("}"); return props; }
      this.eat('"');
      const end = this.s.indexOf('"', this.i);
      const name = this.s.slice(this.i, end);
      this.i = end + 1;
      const optional = this.peek("?");
      if (optional) this.eat("?");
      this.eat(":");
      const type = this.type();
      this.eat(";");
      props.push({ name, required: !optional, type });
    }
  }
  type() {
    const first = this.single();
    if (!this.peek("|")) return first;
    const alts = [first];
    while (this.peek("|")) { this.eat("|"); alts.push(this.single()); }
    return alts.every((a) => a.k === "lit") ? { k: "enum", values: alts.map((a) => a.value) } : { k: "union" };
  }
  single() {
    this.ws();
    if (this.peek('"')) {
      this.eat('"');
      const end = this.s.indexOf('"', this.i);
      const value = this.s.slice(this.i, end);
      this.i = end + 1;
      return { k: "lit", value };
    }
    if (this.peek("Array<")) {
      this.eat("Array<");
      const elem = this.type();
      this.eat(">");
      return { k: "array", elem };
    }
    if (this.peek("{")) {
      this.eat("{");
      if (this.peek("[key: string]:")) {
        this.eat("[key: string]:");
        const elem = this.type();
        this.eat(";");
        this.eat("}");
        return { k: "map", elem };
      }
      return { k: "inline", props: this.members() };
    }
    const m = /^[A-Za-z0-9_]+/.exec(this.s.slice(this.i, this.i + 200));
    if (!m) throw new Error(`unexpected type at ${JSON.stringify(this.s.slice(this.i, this.i + 60))}`);
    this.i += m[0].length;
    if (this.peek("[")) { // IName["key"]: the type of a member of another type (a literal for apiVersion / kind)
      this.i = this.s.indexOf("]", this.i) + 1;
      return { k: "prim", name: "string" };
    }
    if (["string", "number", "boolean"].includes(m[0])) return { k: "prim", name: m[0] };
    return { k: "ref", name: m[0] };
  }
}

function containsNumber(types, id) {
  const [k, a] = types[id];
  if (k === "kNumber") return true;
  if (k === "kArray" || k === "kMap") return containsNumber(types, a);
  return false;
}
function probeValue(types, id) {
  const [k, a] = types[id];
  if (k === "kArray") return [probeValue(types, a)];
  if (k === "kMap") return { probe: probeValue(types, a) };
  return 0.5;
}
function replaceNumber(types, id, intern) {
  const [k, a] = types[id];
  if (k === "kArray" || k === "kMap") return intern(k, replaceNumber(types, a, intern));
  return intern("kInteger", 0);
}
function escapePtr(s) { return s.replace(/~/g, "~0").replace(/\//g, "~1"); }
function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
function chunk(items) {
  const lines = [];
  let line = "";
  for (const it of items) {
    if (line.length + it.length + 1 > 118) {
      lines.push(line);
      line = "";
    }
    line += it + ",";
  }
  if (line) lines.push(line);
  return lines.join("\n");
}
function* walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules") yield* walk(p);
    } else yield p;
  }
}

try {
  await main(modules);
} finally {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}
