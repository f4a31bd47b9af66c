#!/usr/bin/env node
// Validates rendered Kubernetes manifests offline, strictly: every object must be a known GA
// apiVersion/kind, pass the kubernetes-models JSON schema (types, required fields, enums), and
// contain no field that the schema does not declare.
//
// Usage:
//   kubectl kustomize deploy/k8s/overlays/dev | node tools/validate-manifests.mjs --label dev
//   node tools/validate-manifests.mjs deploy/k8s/testdata/valid.yaml
//   ... | node tools/validate-manifests.mjs --placeholder SERVICE   # also: no SERVICE left
//
// Prints one line per object (`ok` or `FAIL` with the field paths at fault) and a closing
// `<label>: N passed, M failed` line; exits 1 when any object fails or no object was found.
//
// --placeholder WORD (repeatable) fails any object with WORD, as a whole word, in a key or a
// string value: a template placeholder that a kustomize replacement missed (see
// deploy/k8s/components/service/kustomization.yaml). Kubernetes' schema cannot catch those,
// and some (an env value, a label) would even be accepted by the API server.
//
// Why the unknown-field check works the way it does: kubernetes-models v4 ships no JSON schema
// documents, only ajv validators compiled from the Kubernetes OpenAPI spec (v1.27), and those
// ignore properties they do not know, as Kubernetes' own schema does (it has no
// additionalProperties: false). A compiled validator reads exactly the properties its schema
// declares (`data.replicas`, `data.selector`, ...) and enumerates the keys of map-typed fields
// (labels, ConfigMap data, resource limits). So the check runs the same validator once more on
// a Proxy of the document that records every property read: a key the validator never read is
// a key the schema does not have. An object the validator looked at without reading anything
// is free-form in the schema (RawExtension, x-kubernetes-preserve-unknown-fields) and is not
// checked. The self-test (scripts/validate-manifests --self-test) proves both directions.

import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// Properties that the kubernetes-models generator dropped from its compiled validators (it
// strips every "description" key, including properties of that name). Found by comparing each
// model's TypeScript interface with its validator. The only other gaps are inside
// CustomResourceDefinition schemas (description, x-kubernetes-*): Sportelli ships no CRD.
const KNOWN_SCHEMA_GAPS = new Map([
  ["scheduling.k8s.io/v1 PriorityClass", new Set(["description"])],
]);

// No alpha or beta API: new betas are off by default since Kubernetes 1.24, and the betas the
// models still know (autoscaling/v2beta2, policy/v1beta1, ...) were removed before 1.32, the
// target cluster version.
const GA_API_VERSION = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?v[0-9]+$/;
const PRERELEASE_API_VERSION = /^(?:[a-z0-9.-]+\/)?v[0-9]+(?:alpha|beta)[0-9]*$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

const USAGE =
  "usage: node tools/validate-manifests.mjs [--label NAME] [--placeholder WORD]... [FILE... | -]\n";

function usage(message) {
  process.stderr.write(`validate-manifests: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { label: "manifests", placeholders: [], files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--label") {
      if (i + 1 >= argv.length) usage("--label needs a value");
      options.label = argv[++i];
    } else if (arg === "--placeholder") {
      if (i + 1 >= argv.length || !/^[A-Za-z0-9_]+$/.test(argv[i + 1])) {
        usage("--placeholder needs a word (letters, digits, _)");
      }
      options.placeholders.push(argv[++i]);
    } else if (arg === "-h" || arg === "--help") {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (arg.startsWith("--")) {
      usage(`unknown option ${arg}`);
    } else {
      options.files.push(arg);
    }
  }
  if (options.files.length === 0) options.files.push("-");
  return options;
}

// --- paths ---------------------------------------------------------------------------------

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function joinPath(path, key) {
  if (typeof key === "number") return `${path}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}

// ajv's instancePath is a JSON pointer; the document tells which segments are array indices.
function pointerToPath(doc, pointer) {
  let path = "";
  let node = doc;
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node) && /^[0-9]+$/.test(segment)) {
      path = joinPath(path, Number(segment));
      node = node[Number(segment)];
    } else {
      path = joinPath(path, segment);
      node = node !== null && typeof node === "object" ? node[segment] : undefined;
    }
  }
  return path || "(document)";
}

function valueAt(doc, pointer) {
  let node = doc;
  for (const raw of pointer.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = node[raw.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

function preview(value) {
  if (value === undefined) return "";
  let text = JSON.stringify(value);
  if (text.length > 60) text = `${text.slice(0, 57)}...`;
  return ` (got ${text})`;
}

// --- model lookup --------------------------------------------------------------------------

const modelCache = new Map();

// kubernetes-models exposes one module per kind: `kubernetes-models/<apiVersion>/<Kind>`
// (`kubernetes-models/v1/Service`, `kubernetes-models/apps/v1/Deployment`,
// `kubernetes-models/networking.k8s.io/v1/NetworkPolicy`). Types that are not top-level kinds
// (DeploymentSpec, ...) are exported too but carry no static apiVersion/kind, hence the check.
async function findModel(apiVersion, kind) {
  const key = `${apiVersion} ${kind}`;
  if (!modelCache.has(key)) {
    let model = null;
    try {
      const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
      const candidate = module[kind];
      if (typeof candidate === "function" && candidate.apiVersion === apiVersion &&
          candidate.kind === kind) {
        model = candidate;
      }
    } catch (error) {
      if (error.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED" && error.code !== "ERR_MODULE_NOT_FOUND") {
        throw error;
      }
    }
    modelCache.set(key, model);
  }
  return modelCache.get(key);
}

// --- the two checks ------------------------------------------------------------------------

// Go's base64 decoder, which the API server uses for `format: byte` fields (Secret data),
// skips \r and \n; kustomize wraps long values, so the models' stricter regex is relaxed here.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function acceptedByApiServer(e, doc) {
  if (e.keyword !== "format" || e.params.format !== "byte") return false;
  const value = valueAt(doc, e.instancePath);
  return typeof value === "string" && BASE64.test(value.replace(/[\r\n]/g, ""));
}

function schemaErrors(Model, doc) {
  try {
    new Model(doc).validate();
    return [];
  } catch (error) {
    if (!Array.isArray(error.errors)) throw error;
    return error.errors.filter((e) => !acceptedByApiServer(e, doc)).map((e) => {
      let detail = e.keyword === "required" ? "required field missing" : e.message;
      if (e.keyword === "enum") detail += `: ${e.params.allowedValues.join(", ")}`;
      const pointer = e.keyword === "required"
        ? `${e.instancePath}/${e.params.missingProperty}` : e.instancePath;
      const got = e.keyword === "required" ? "" : preview(valueAt(doc, e.instancePath));
      return `${pointerToPath(doc, pointer)}: ${detail}${got}`;
    });
  }
}

// Runs the model's compiled validator on a Proxy of `doc` and returns, for every object the
// validator reached, the set of keys it read.
function traceReads(Model, doc) {
  const reads = new WeakMap();
  const proxies = new WeakMap();
  const wrap = (value) => {
    if (value === null || typeof value !== "object") return value;
    let proxy = proxies.get(value);
    if (proxy) return proxy;
    const seen = new Set();
    reads.set(value, seen);
    const note = (key) => { if (typeof key === "string") seen.add(key); };
    proxy = new Proxy(value, {
      get(target, key, receiver) { note(key); return wrap(Reflect.get(target, key, receiver)); },
      has(target, key) { note(key); return Reflect.has(target, key); },
      getOwnPropertyDescriptor(target, key) {
        note(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
      ownKeys(target) {
        const keys = Reflect.ownKeys(target);
        keys.forEach(note);
        return keys;
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  try {
    // Model.prototype.validate is `runValidateFunc(compiledSchema, this)`: calling it with the
    // proxy as `this` validates the proxy itself, without the constructor's copy.
    Model.prototype.validate.call(wrap(doc));
  } catch {
    // Schema errors were reported by schemaErrors(); only the reads matter here.
  }
  return reads;
}

function unknownFields(Model, doc) {
  const reads = traceReads(Model, doc);
  const allowed = KNOWN_SCHEMA_GAPS.get(`${Model.apiVersion} ${Model.kind}`) ?? new Set();
  const found = [];
  const walk = (value, path) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, joinPath(path, i)));
      return;
    }
    if (value === null || typeof value !== "object") return;
    const seen = reads.get(value);
    // Never reached (below a field already reported) or free-form in the schema.
    if (!seen || seen.size === 0) return;
    for (const key of Object.keys(value)) {
      const child = joinPath(path, key);
      if (seen.has(key)) {
        walk(value[key], child);
      } else if (!(path === "" && allowed.has(key))) {
        found.push(`${child}: unknown field, not in the ${Model.apiVersion} ${Model.kind} schema`);
      }
    }
  };
  walk(doc, "");
  return found;
}

// Every key and string value holding one of the words as a word of its own: not inside a
// longer one, though a `_` before it separates (SERVICE is found in "SERVICE-config",
// "sportelli/SERVICE" and "sportelli_SERVICE", not in "TenantsService" or "SERVICE_NAME").
function placeholdersLeft(doc, words) {
  if (words.length === 0) return [];
  const pattern = new RegExp(`(?<![A-Za-z0-9])(?:${words.join("|")})(?![A-Za-z0-9_])`);
  const found = [];
  const walk = (value, path) => {
    if (typeof value === "string") {
      const match = value.match(pattern);
      if (match) {
        const where = path || "(document)";
        found.push(`${where}: template placeholder ${match[0]} left${preview(value)}`);
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, joinPath(path, i)));
    } else if (value !== null && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        const childPath = joinPath(path, key);
        const match = key.match(pattern);
        if (match) found.push(`${childPath}: template placeholder ${match[0]} left in a key`);
        walk(child, childPath);
      }
    }
  };
  walk(doc, "");
  return found;
}

async function validateDocument(doc, placeholders) {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return { name: "(not an object)", problems: ["(document): must be a mapping"] };
  }
  const { apiVersion, kind, metadata } = doc;
  const ns = metadata?.namespace ? `${metadata.namespace}/` : "";
  const name = `${apiVersion ?? "?"} ${kind ?? "?"} ${ns}${metadata?.name ?? "(no name)"}`;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return { name, problems: ["apiVersion and kind: required strings"] };
  }
  if (PRERELEASE_API_VERSION.test(apiVersion)) {
    return { name, problems: [`apiVersion: ${apiVersion} is alpha/beta; use a GA version`] };
  }
  const model = GA_API_VERSION.test(apiVersion) && KIND.test(kind)
    ? await findModel(apiVersion, kind) : null;
  if (!model) {
    return { name, problems: [`apiVersion/kind: ${apiVersion} ${kind} is not a known Kubernetes ` +
      "kind (kubernetes-models, Kubernetes 1.27 API; custom resources are not supported)"] };
  }
  if (typeof metadata?.name !== "string" || metadata.name === "") {
    return { name, problems: ["metadata.name: required"] };
  }
  return {
    name,
    problems: [
      ...schemaErrors(model, doc),
      ...unknownFields(model, doc),
      ...placeholdersLeft(doc, placeholders),
    ],
  };
}

// --- input ---------------------------------------------------------------------------------

function readInput(file) {
  return file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
}

// YAML 1.1, as the Kubernetes API server reads it (unquoted yes/no/on/off are booleans, 0755
// is octal), but like it without timestamps or sexagesimal numbers: those stay strings.
const YAML_OPTIONS = {
  version: "1.1",
  customTags: (tags) => tags.filter(
    (tag) => tag.tag !== "tag:yaml.org,2002:timestamp" && tag.format !== "TIME"),
};

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let passed = 0;
  let failed = 0;
  const fail = (name, problems) => {
    failed++;
    process.stdout.write(`FAIL  ${name}\n`);
    for (const problem of problems) process.stdout.write(`        ${problem}\n`);
  };
  for (const file of options.files) {
    const source = file === "-" ? "stdin" : file;
    let documents;
    try {
      documents = parseAllDocuments(readInput(file), YAML_OPTIONS);
    } catch (error) {
      fail(source, [error.message]);
      continue;
    }
    if (!Array.isArray(documents)) documents = [documents];
    for (const [index, document] of documents.entries()) {
      if (document.errors.length > 0) {
        fail(`${source} document ${index + 1}`, document.errors.map((e) => e.message));
        continue;
      }
      const doc = document.toJS({ maxAliasCount: 100 });
      if (doc === null || doc === undefined) continue;  // empty document between `---`
      const { name, problems } = await validateDocument(doc, options.placeholders);
      if (problems.length > 0) {
        fail(name, problems);
      } else {
        passed++;
        process.stdout.write(`ok    ${name}\n`);
      }
    }
  }
  if (passed + failed === 0) {
    process.stdout.write("FAIL  no Kubernetes object in the input\n");
    failed++;
  }
  process.stdout.write(`${options.label}: ${passed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
