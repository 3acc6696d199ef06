#!/usr/bin/env bash
# Checks that the services the distributed-mode tests need are up, and says how
# to start any that is not. The tests themselves fail with the same advice.
set -u
pg=${SWITCHBOARD_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
nats=${SWITCHBOARD_TEST_NATS:-nats://127.0.0.1:4222}
ok=1
hostport() { echo "$1" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]+).*#\2#'; }
check() { # name url start-command
  local hp host port; hp=$(hostport "$2"); host=${hp%:*}; port=${hp##*:}
  if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
    echo "ok: $1 at $hp"
  else
    echo "MISSING: $1 at $hp is not answering. Start it with:"; echo "    $3"; ok=0
  fi
}
check PostgreSQL "$pg" 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'
check NATS "$nats" 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server'
[ $ok = 1 ] || { echo "The tests that need these services will fail until they run."; exit 1; }
