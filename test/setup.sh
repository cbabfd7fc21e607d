#!/usr/bin/env bash
# Installs what the tests need from Debian, when missing: the oracle (prometheus-pushgateway 1.5.1), a real
# Prometheus and promtool, the Python client library, Chromium for the browser tests, and PostgreSQL.
# In CI (CI=true) a package that cannot be installed is a failure, never a silent skip.
set -u
need=()
command -v prometheus-pushgateway >/dev/null || need+=(prometheus-pushgateway)
command -v prometheus >/dev/null || need+=(prometheus)
command -v promtool >/dev/null || need+=(prometheus)
/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null || need+=(python3-prometheus-client)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v wrk >/dev/null || need+=(wrk)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "test setup: installing ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null 2>&1
  if ! $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/tmp/pushboard-apt.log 2>&1; then
    echo "test setup: apt-get install failed (see /tmp/pushboard-apt.log)"
    tail -20 /tmp/pushboard-apt.log
    [ "${CI:-}" = true ] && exit 1
  fi
fi
# Debian's postinst starts the pushgateway service with a persistence file; tests never use it, stop it
# so its :9091 does not collide with anything.
if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus-pushgateway 2>/dev/null; then
  systemctl stop prometheus-pushgateway prometheus >/dev/null 2>&1 || true
fi
pkill -f '^/usr/bin/prometheus-pushgateway$' 2>/dev/null || true
exit 0
