#!/usr/bin/env bash
# Starts a RabbitMQ broker on 127.0.0.1:5672 for the tests (and for running with Messaging:Transport=RabbitMq),
# unless one is already answering there. Needs the rabbitmq-server package (scripts/install-deps.sh).
set -euo pipefail

node="rabbit@localhost"
# Everything the broker opens stays on loopback: AMQP, the Erlang port mapper and the distribution port.
export RABBITMQ_NODENAME="$node" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"

broker_answers() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }

if broker_answers; then
  echo "RabbitMQ already answers on 127.0.0.1:5672"
  exit 0
fi

if ! command -v rabbitmq-server >/dev/null; then
  echo "rabbitmq-server is not installed: run scripts/install-deps.sh (or apt-get install rabbitmq-server)" >&2
  exit 1
fi

echo "Starting RabbitMQ ($node) on 127.0.0.1:5672"
rabbitmq-server -detached
for _ in $(seq 1 120); do
  if broker_answers && rabbitmqctl -q -n "$node" await_startup >/dev/null 2>&1; then
    echo "RabbitMQ is up"
    exit 0
  fi
  sleep 1
done
echo "RabbitMQ did not start within 120 s; see /var/log/rabbitmq" >&2
exit 1
