#!/usr/bin/env bash
# The image's steps as one script, so that they run (and are tested) without a container engine; the Dockerfile
# runs exactly this. Three steps, in the source tree it lives in:
#   1. install: npm ci (all dependencies: the build needs the dev ones)      skipped with --no-install
#   2. build:   npm run build (the Next.js dashboard and the server bundle)  skipped with --no-build
#   3. package: DEST gets only what runs: package.json, package-lock.json, next.config.js, public/, .next/
#      (without the build cache and traces), lib/cli/pushboard.mjs, and node_modules pruned to production
#      dependencies (copied from the build, so native addons built there are kept; nothing is downloaded).
# The packaged tree has no sources, so `pushboard` never tries to build at start: it runs from a read-only
# directory and writes only to its data directory ($PUSHBOARD_DATA_DIR or --persistence.file) and /tmp.
#
# usage: deploy/image/build.sh [--no-install] [--no-build] DEST
set -euo pipefail

install=1
build=1
dest=""
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    --no-build) build=0 ;;
    -h | --help)
      sed -n '2,13p' "$0"
      exit 0
      ;;
    -*)
      echo "build.sh: unknown option $arg" >&2
      exit 2
      ;;
    *) dest="$arg" ;;
  esac
done
if [ -z "$dest" ]; then
  echo "usage: deploy/image/build.sh [--no-install] [--no-build] DEST" >&2
  exit 2
fi

src="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$src"
export NEXT_TELEMETRY_DISABLED=1

if [ "$install" = 1 ]; then
  npm ci --no-audit --no-fund
fi
if [ "$build" = 1 ]; then
  npm run build
fi
if [ ! -f .next/BUILD_ID ] || [ ! -f .next/pushboard/server.cjs ]; then
  echo "build.sh: no production build in $src/.next (run without --no-build)" >&2
  exit 1
fi

mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
if [ "$dest" = "$src" ]; then
  echo "build.sh: DEST must not be the source tree" >&2
  exit 2
fi
cp package.json package-lock.json next.config.js "$dest/"
cp -R public "$dest/public"
mkdir -p "$dest/lib/cli"
cp lib/cli/pushboard.mjs "$dest/lib/cli/"
# .next without the build-only parts: the compiler cache, traces, type stubs and diagnostics.
mkdir -p "$dest/.next"
for entry in .next/* .next/.[!.]*; do
  [ -e "$entry" ] || continue
  case "$(basename "$entry")" in
    cache | trace | trace-build | types | diagnostics) continue ;;
  esac
  cp -R "$entry" "$dest/.next/"
done
cp -R node_modules "$dest/node_modules"
# Production dependencies only. --offline: pruning only removes, it must never reach the registry.
(cd "$dest" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error)
find "$dest/node_modules" -mindepth 1 -maxdepth 1 -type d -empty -delete
echo "build.sh: packaged pushboard into $dest"
