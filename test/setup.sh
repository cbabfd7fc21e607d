#!/usr/bin/env bash
# Installs the Debian packages the tests use, when something they provide is missing. The list is
# test/system-deps.json (read through test/system-deps.mjs): the oracle (prometheus-pushgateway 1.5.1), Prometheus
# and promtool, Debian's python3 with prometheus_client and snappy, Chromium, PostgreSQL, wrk, curl.
# In CI (CI=true) a package that cannot be installed is a failure, never a silent skip.
#
# Services: Debian's maintainer scripts start some of these packages' services (the Pushgateway with a
# persistence file, Prometheus, a PostgreSQL cluster on :5432). The tests never use them; they start their own
# servers on their own ports. So installs run with a policy-rc.d that forbids service starts (unless the machine
# already has one), and a listed service that is running anyway is stopped through its unit: systemctl where
# systemd runs, else the package's init script (which stops only the process of its own pid file). No process is
# ever matched by name.
set -u
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi

mapfile -t need < <(node test/system-deps.mjs missing)
if [ ${#need[@]} -gt 0 ]; then
  echo "test setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# pushboard test setup: no service starts during this install\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    own_policy=1
  fi
  $SUDO apt-get update -qq >/tmp/pushboard-apt.log 2>&1
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >>/tmp/pushboard-apt.log 2>&1
  rc=$?
  [ -n "$own_policy" ] && $SUDO rm -f "$policy"
  if [ $rc -ne 0 ]; then
    echo "test setup: apt-get install failed (see /tmp/pushboard-apt.log)"
    tail -20 /tmp/pushboard-apt.log
    [ "${CI:-}" = true ] && exit 1
  fi
  mapfile -t still < <(node test/system-deps.mjs missing)
  if [ ${#still[@]} -gt 0 ]; then
    echo "test setup: still missing after install: ${still[*]}"
    [ "${CI:-}" = true ] && exit 1
  fi
fi

systemd_running() { [ -d /run/systemd/system ]; }
while read -r unit; do
  [ -n "$unit" ] || continue
  if systemd_running; then
    if systemctl is-active --quiet "$unit" 2>/dev/null; then
      echo "test setup: stopping service $unit"
      $SUDO systemctl stop "$unit" >/dev/null 2>&1 || true
    fi
  elif [ -x "/etc/init.d/$unit" ]; then
    if "/etc/init.d/$unit" status >/dev/null 2>&1; then
      echo "test setup: stopping service $unit"
      $SUDO "/etc/init.d/$unit" stop >/dev/null 2>&1 || true
    fi
  fi
done < <(node test/system-deps.mjs services)
exit 0
