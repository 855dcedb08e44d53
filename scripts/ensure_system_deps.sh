#!/usr/bin/env bash
# Makes sure RabbitMQ answers on AMQP_URI's host:port (default 127.0.0.1:5672), starting the local
# server when it is installed but stopped. Used by .ci/run; `make run` does the same in scripts/run.py.
set -euo pipefail
# Chromium for the browser tests (tests/browser, Playwright drives /usr/bin/chromium).
command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }
host=127.0.0.1; port=5672
answers() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }
if ! answers; then
  if command -v rabbitmq-server >/dev/null; then
    echo "RabbitMQ is not answering on $host:$port: starting it"
    rabbitmq-server -detached
    for _ in $(seq 1 120); do answers && break; sleep 0.5; done
  fi
fi
answers || { echo "RabbitMQ is not running on $host:$port and could not be started." >&2; exit 1; }
# rabbitmqctl answers a little after the port opens; the tests create vhosts with it.
for _ in $(seq 1 60); do rabbitmqctl -q status >/dev/null 2>&1 && exit 0; sleep 1; done
echo "rabbitmqctl does not answer" >&2; exit 1
