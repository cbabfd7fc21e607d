// Types of test/system-deps.mjs (plain JS so that test/setup.sh can run it with node before anything is built).
export interface SystemPackage {
  package: string;
  programs?: string[];
  python?: string[];
  services?: string[];
}
export const SYSTEM_PACKAGES: SystemPackage[];
export const PYTHON: string;
export function declaredProgram(name: string): { spec: string; package: string } | undefined;
export function declaredPythonModule(module: string): string | undefined;
export function findProgram(name: string): string | undefined;
export function hasPythonModule(module: string): boolean;
export function requireProgram(name: string): string | undefined;
export function requirePythonModule(module: string): boolean;
export function missingPackages(): string[];
