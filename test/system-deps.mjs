// The tests' access to system programs and Python modules, read from test/system-deps.json, the one list of the
// Debian packages the tests use. A test asks for a tool by name here; asking for one that the list does not
// declare throws, so a test cannot start needing a tool that test/setup.sh would not install.
//
// Command line (used by test/setup.sh, which must not parse JSON in bash):
//   node test/system-deps.mjs missing    the packages of which something is missing, one per line
//   node test/system-deps.mjs services   the services that the listed packages start on install, one per line
import { spawnSync } from "node:child_process";
import { accessSync, constants, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** @typedef {{ package: string, programs?: string[], python?: string[], services?: string[] }} SystemPackage */

/** @type {SystemPackage[]} */
export const SYSTEM_PACKAGES = JSON.parse(readFileSync(path.join(HERE, "system-deps.json"), "utf8")).packages;

/** Debian's interpreter, where Debian's python3-* packages are importable (the first python3 on PATH may be pyenv's). */
export const PYTHON = "/usr/bin/python3";

/** The declared program spec (a name or an absolute path pattern) that `name` refers to, if any. */
export function declaredProgram(name) {
  for (const p of SYSTEM_PACKAGES) {
    for (const spec of p.programs ?? []) {
      if (spec === name || path.basename(spec) === name) return { spec, package: p.package };
    }
  }
  return undefined;
}

/** The package that declares a Python module (by its top-level name), if any. */
export function declaredPythonModule(module) {
  const top = module.split(".")[0];
  return SYSTEM_PACKAGES.find((p) => (p.python ?? []).includes(top))?.package;
}

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Expands an absolute path whose segments may be `*`; newest-looking match last (sorted by name). */
function expand(pattern) {
  let found = ["/"];
  for (const seg of pattern.split("/").filter(Boolean)) {
    const next = [];
    for (const dir of found) {
      if (seg !== "*") next.push(path.join(dir, seg));
      else {
        let entries = [];
        try {
          entries = readdirSync(dir).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
        } catch {
          /* no such directory */
        }
        for (const e of entries) next.push(path.join(dir, e));
      }
    }
    found = next;
  }
  return found.filter(executable);
}

function resolveSpec(spec) {
  if (spec.startsWith("/")) return expand(spec).at(-1);
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && executable(path.join(dir, spec))) return path.join(dir, spec);
  }
  return undefined;
}

/**
 * The absolute path of a declared program, or undefined when it is not installed. Throws when no package in
 * test/system-deps.json declares it.
 */
export function findProgram(name) {
  const d = declaredProgram(name);
  if (!d) throw new Error(`program ${name} is not declared in test/system-deps.json: add it with the Debian package that provides it`);
  return resolveSpec(d.spec);
}

/** True when Debian's python3 imports the module. Throws when no package in test/system-deps.json declares it. */
export function hasPythonModule(module) {
  if (!declaredPythonModule(module)) throw new Error(`Python module ${module} is not declared in test/system-deps.json`);
  return spawnSync(PYTHON, ["-c", `import ${module}`], { stdio: "ignore" }).status === 0;
}

/** Where a tool is missing: throws in CI (CI=true), where every declared package must be installed; otherwise warns. */
function missing(what, pkg) {
  const msg = `${what} is not available (Debian package ${pkg}; test/setup.sh installs it)`;
  if (process.env.CI === "true") throw new Error(`CI: ${msg}`);
  console.warn(`SKIPPED: ${msg}`);
}

/** The program's path; when it is missing, throws in CI and otherwise warns and returns undefined (skip). */
export function requireProgram(name) {
  const found = findProgram(name);
  if (!found) missing(name, declaredProgram(name).package);
  return found;
}

/** True when the Python module imports; when not, throws in CI and otherwise warns and returns false (skip). */
export function requirePythonModule(module) {
  if (hasPythonModule(module)) return true;
  missing(`Python module ${module}`, declaredPythonModule(module));
  return false;
}

/** Packages of which some program or Python module is missing. */
export function missingPackages() {
  const pythonOk = resolveSpec(PYTHON) !== undefined;
  return SYSTEM_PACKAGES.filter((p) => {
    if ((p.programs ?? []).some((spec) => !resolveSpec(spec))) return true;
    if (!p.python?.length) return false;
    if (!pythonOk) return true;
    return spawnSync(PYTHON, ["-c", `import ${p.python.join(", ")}`], { stdio: "ignore" }).status !== 0;
  }).map((p) => p.package);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2];
  if (cmd === "missing") for (const p of missingPackages()) console.log(p);
  else if (cmd === "services") for (const p of SYSTEM_PACKAGES) for (const s of p.services ?? []) console.log(s);
  else {
    console.error("usage: node test/system-deps.mjs missing|services");
    process.exit(2);
  }
}
