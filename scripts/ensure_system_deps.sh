#!/usr/bin/env bash
# What the tests need outside the virtualenv, installed or started where missing (Debian/Ubuntu, apt):
#   chromium        the browser tests (Playwright drives /usr/bin/chromium)
#   docker-compose  checks docker-compose.yml against the Compose specification (`docker-compose
#                   config`; no Docker engine is installed or needed)
#   rabbitmq-server when RabbitMQ does not answer on AMQP_URI's local host:port; started if stopped
#   wrk             with BENCH=1 only (`make bench`): the HTTP load generator of every HTTP figure
# `make test` runs it first (so does .ci/run, through make test); `make run` starts RabbitMQ itself.
set -euo pipefail

uri=${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}
hostport=${uri#*://}; hostport=${hostport#*@}; hostport=${hostport%%/*}
host=${hostport%%:*}; port=${hostport##*:}; [ "$port" = "$hostport" ] && port=5672
answers() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }
local_broker() { [ "$host" = 127.0.0.1 ] || [ "$host" = localhost ]; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "Missing system packages; install them as root: apt-get install $*" >&2; exit 1
  fi
}

updated=
apt_install() {   # apt_install [--no-install-recommends] package…
  [ -n "$updated" ] || { as_root apt-get update -qq; updated=1; }
  echo "Installing ${*: -1} (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v chromium >/dev/null || apt_install chromium
# Without its recommends, docker-compose brings Python libraries only, not the Docker engine.
command -v docker-compose >/dev/null || apt_install --no-install-recommends docker-compose
[ -z "${BENCH:-}" ] || command -v wrk >/dev/null || apt_install wrk

if ! answers && local_broker; then
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  echo "RabbitMQ is not answering on $host:$port: starting it"
  as_root rabbitmq-server -detached
  for _ in $(seq 1 120); do answers && break; sleep 0.5; done
fi
answers || { echo "RabbitMQ is not running on $host:$port and could not be started." >&2; exit 1; }
local_broker || exit 0
# rabbitmqctl answers a little after the port opens; the tests create vhosts with it.
for _ in $(seq 1 60); do rabbitmqctl -q status >/dev/null 2>&1 && exit 0; sleep 1; done
echo "rabbitmqctl does not answer" >&2; exit 1
