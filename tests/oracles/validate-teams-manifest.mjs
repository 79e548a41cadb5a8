#!/usr/bin/env node
// Validate a Microsoft Teams app manifest against the official JSON schema
// shipped (offline) by the npm package @microsoft/app-manifest.
//
// Usage: node validate-teams-manifest.mjs PATH/manifest.json
//
// Prints exactly one JSON line on stdout:
//   {"valid":bool,"schema":"<schema file used or null>","errors":["..."]}
// Exit codes: 0 valid, 1 invalid, 2 usage / IO / setup error.
//
// The schema is chosen from the manifest's `manifestVersion` ("1.30" ->
// build/json-schemas/teams/v1.30/MicrosoftTeams.schema.json, "devPreview" ->
// vDevPreview); the manifest's `$schema` URL is never fetched. Validation
// mirrors the package's own AppManifestUtils.validateAgainstSchema (ajv
// draft-04, allErrors, strictTypes off, ajv-formats uri/email/regex) but is
// done here directly, because that helper cannot be imported: the package
// requires `fs-extra` at load time without declaring it as a dependency.

import { readFileSync, existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";

const require = createRequire(import.meta.url);

function emit(result, code) {
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(code);
}

function fail(message, schema = null) {
  process.stderr.write(`validate-teams-manifest: ${message}\n`);
  emit({ valid: false, schema, errors: [message] }, 2);
}

const args = process.argv.slice(2);
if (args.length !== 1 || args[0] === "-h" || args[0] === "--help") {
  fail("usage: node validate-teams-manifest.mjs PATH/manifest.json");
}

let manifest;
try {
  const text = readFileSync(args[0], "utf8").replace(/^\uFEFF/, "");
  manifest = JSON.parse(text);
} catch (e) {
  fail(`cannot read manifest ${args[0]}: ${e.message}`);
}
if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) {
  fail("manifest is not a JSON object");
}

const version = manifest.manifestVersion;
if (typeof version !== "string" || version === "") {
  fail("manifest has no string `manifestVersion`; cannot choose a schema");
}

let schemasRoot;
try {
  const pkgJson = require.resolve("@microsoft/app-manifest/package.json");
  schemasRoot = path.join(path.dirname(pkgJson), "build", "json-schemas", "teams");
} catch (e) {
  fail(`@microsoft/app-manifest is not installed (run npm ci in ${path.dirname(new URL(import.meta.url).pathname)}): ${e.message}`);
}

const dirName = version === "devPreview" ? "vDevPreview" : `v${version}`;
const schemaPath = path.join(schemasRoot, dirName, "MicrosoftTeams.schema.json");
if (!existsSync(schemaPath)) {
  let available = [];
  try {
    available = readdirSync(schemasRoot)
      .filter((d) => existsSync(path.join(schemasRoot, d, "MicrosoftTeams.schema.json")))
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  } catch {
    /* ignore */
  }
  fail(
    `no schema for manifestVersion ${JSON.stringify(version)} in @microsoft/app-manifest ` +
      `(looked for ${schemaPath}); available: ${available.join(", ")}`,
  );
}

let schema;
try {
  // Same workaround as the package's fetchSchema: some published schemas
  // contain "\a" in regexes, which is not valid in a JS unicode regex.
  schema = JSON.parse(readFileSync(schemaPath, "utf8").replace(/\\a/g, "\\x07"));
} catch (e) {
  fail(`cannot read schema ${schemaPath}: ${e.message}`, schemaPath);
}

let validate;
try {
  const ajv = new AjvDraft04({ allErrors: true, strictTypes: false, strict: false });
  addFormats(ajv, ["uri", "email", "regex"]);
  validate = ajv.compile(schema);
} catch (e) {
  fail(`cannot compile schema ${schemaPath}: ${e.message}`, schemaPath);
}

function describe(err) {
  const where = err.instancePath || "/";
  let detail = "";
  const p = err.params || {};
  switch (err.keyword) {
    case "additionalProperties":
      detail = `: ${JSON.stringify(p.additionalProperty)}`;
      break;
    case "enum":
      detail = ` ${JSON.stringify(p.allowedValues)}`;
      break;
    case "required":
    case "type":
    case "pattern":
    case "format":
    case "const":
      break; // the ajv message already names the missing property / expected value
    default:
      if (p && Object.keys(p).length) detail = ` (${JSON.stringify(p)})`;
  }
  return `${where} ${err.message}${detail}`;
}

const valid = validate(manifest);
const errors = valid ? [] : [...new Set((validate.errors || []).map(describe))];
emit({ valid: Boolean(valid), schema: schemaPath, errors }, valid ? 0 : 1);
