#!/usr/bin/env bash
# A 3-node MariaDB Galera cluster on loopback, from Debian's packages, for
# testing scimbridge past one server:
#
#   deploy/galera/cluster.sh start    # start (installing galera-4 and rsync if missing)
#   deploy/galera/cluster.sh status   # wsrep_cluster_size and state of each node
#   deploy/galera/cluster.sh kill N   # kill -9 node N (1-3)
#   deploy/galera/cluster.sh rejoin N # start node N again; it rejoins by IST/SST
#   deploy/galera/cluster.sh stop     # shut every node down, remove the data
#
# Nodes listen on 127.0.0.1:13306, 13307, 13308 (user root, no password);
# Galera replicates on 14567, 14577, 14587 (IST on the port after) and state
# transfers use rsync on 14444, 14454, 14464; SCIMBRIDGE_GALERA_PORT=23306
# moves them all by 10000. The data lives under
# $SCIMBRIDGE_GALERA_DIR (default /tmp/scimbridge-galera). The server on
# 3306 is never touched. Memory is kept small: the nodes share a machine.
#
# Then run the Galera tests with
#
#   SCIMBRIDGE_TEST_GALERA='127.0.0.1:13306,127.0.0.1:13307,127.0.0.1:13308' \
#     go test -count=1 -run Galera ./adapters/mysql/
set -euo pipefail

DIR=${SCIMBRIDGE_GALERA_DIR:-/tmp/scimbridge-galera}
PROVIDER=/usr/lib/galera/libgalera_smm.so
MARIADBD=/usr/sbin/mariadbd
NODES=(1 2 3)

# SCIMBRIDGE_GALERA_PORT moves every port by the same amount, for a second
# cluster on the machine (e.g. 23306: nodes on 23306-23308, Galera on 24567...).
BASE=${SCIMBRIDGE_GALERA_PORT:-13306}
[[ $BASE =~ ^[0-9]+$ ]] && ((BASE >= 1024 && BASE <= 60000)) || { echo "galera: SCIMBRIDGE_GALERA_PORT=$BASE: want a port between 1024 and 60000" >&2; exit 1; }
SHIFT=$((BASE - 13306))
port() { echo $((13305 + SHIFT + $1)); }
gport() { echo $((14557 + SHIFT + 10 * $1)); }
sstport() { echo $((14434 + SHIFT + 10 * $1)); }

die() {
	echo "galera: $*" >&2
	exit 1
}

sql() { # node, statement
	mariadb --connect-timeout=2 --protocol=tcp -h 127.0.0.1 -P "$(port "$1")" -u root -N -B -e "$2"
}

install() {
	local missing=()
	[[ -x $MARIADBD ]] || missing+=(mariadb-server)
	command -v mariadb >/dev/null || missing+=(mariadb-client)
	[[ -f $PROVIDER ]] || missing+=(galera-4)
	command -v rsync >/dev/null || missing+=(rsync)
	if ((${#missing[@]})); then
		echo "galera: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}"
	fi
	[[ -f $PROVIDER ]] || die "$PROVIDER is missing after installing galera-4"
	id mysql >/dev/null 2>&1 || die "there is no mysql user (mariadb-server creates it)"
}

address() { # node: gcomm address of the cluster it joins
	if (($1 == 1)) && [[ ${BOOTSTRAP:-} == 1 ]]; then
		echo "gcomm://"
	else
		local peers=()
		for n in "${NODES[@]}"; do
			((n == $1)) || peers+=("127.0.0.1:$(gport "$n")")
		done
		echo "gcomm://$(
			IFS=,
			echo "${peers[*]}"
		)"
	fi
}

launch() { # node [extra options]
	local n=$1
	shift
	local d=$DIR/node$n
	# setsid: the node outlives this script and the caller's terminal.
	setsid "$MARIADBD" --no-defaults --user=mysql \
		--datadir="$d/data" --socket="$d/mariadb.sock" --pid-file="$d/mariadb.pid" \
		--log-error="$d/error.log" --bind-address=127.0.0.1 --port="$(port "$n")" \
		--skip-name-resolve --character-set-server=utf8mb4 \
		--innodb-buffer-pool-size=32M --innodb-log-file-size=16M --key-buffer-size=1M \
		--performance-schema=OFF --max-connections=100 --table-open-cache=200 \
		--binlog-format=ROW --default-storage-engine=InnoDB --innodb-autoinc-lock-mode=2 \
		--wsrep-on=ON --wsrep-provider="$PROVIDER" --wsrep-cluster-name=scimbridge-test \
		--wsrep-node-name="node$n" --wsrep-node-address="127.0.0.1:$(gport "$n")" \
		--wsrep-cluster-address="$(address "$n")" \
		--wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$(gport "$n");ist.recv_addr=127.0.0.1:$(($(gport "$n") + 1));gcache.size=32M" \
		--wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:$(sstport "$n")" \
		--wsrep-slave-threads=1 "$@" </dev/null >>"$d/stdout.log" 2>&1 &
}

wait_node() { # node: until it is synced
	local n=$1
	for _ in $(seq 1 120); do
		if [[ $(sql "$n" "SHOW STATUS LIKE 'wsrep_local_state'" 2>/dev/null | cut -f2) == 4 ]]; then
			return 0
		fi
		sleep 0.5
	done
	tail -n 30 "$DIR/node$n/error.log" >&2 || true
	die "node $n did not reach wsrep_local_state 4 (synced) within 60s; log above"
}

start() {
	install
	if [[ -f $DIR/node1/mariadb.pid ]] && kill -0 "$(cat "$DIR/node1/mariadb.pid")" 2>/dev/null; then
		die "a cluster is running already in $DIR (stop it first)"
	fi
	rm -rf "$DIR"
	mkdir -p "$DIR"
	chmod 755 "$DIR"
	# The nodes run as mysql, which must reach the directory.
	if command -v runuser >/dev/null && ! runuser -u mysql -- test -x "$DIR"; then
		die "the mysql user cannot reach $DIR: give its parent directories o+x, or choose another SCIMBRIDGE_GALERA_DIR"
	fi
	for n in "${NODES[@]}"; do
		(exec 3<>"/dev/tcp/127.0.0.1/$(port "$n")") 2>/dev/null && die "port $(port "$n") is taken"
		mkdir -p "$DIR/node$n/data"
		mariadb-install-db --no-defaults --user=mysql --datadir="$DIR/node$n/data" \
			--auth-root-authentication-method=normal --skip-test-db >"$DIR/node$n/install.log" 2>&1 ||
			die "mariadb-install-db failed for node $n: see $DIR/node$n/install.log"
	done
	chown -R mysql:mysql "$DIR"
	chmod 755 "$DIR"
	BOOTSTRAP=1 launch 1 --wsrep-new-cluster
	wait_node 1
	# root may connect from any loopback address (the rsync SST copies
	# node 1's grants to the others).
	sql 1 "CREATE USER IF NOT EXISTS 'root'@'%'; GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION"
	for n in 2 3; do
		launch "$n"
		wait_node "$n"
	done
	size=$(sql 1 "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)
	[[ $size == 3 ]] || die "wsrep_cluster_size is $size, expected 3"
	echo "galera: 3 nodes synced on 127.0.0.1:$(port 1),$(port 2),$(port 3) (data in $DIR)"
	echo "SCIMBRIDGE_TEST_GALERA='127.0.0.1:$(port 1),127.0.0.1:$(port 2),127.0.0.1:$(port 3)'"
}

status() {
	for n in "${NODES[@]}"; do
		if out=$(sql "$n" "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_CLUSTER_SIZE','WSREP_LOCAL_STATE_COMMENT','WSREP_READY') ORDER BY VARIABLE_NAME" 2>/dev/null | paste -sd' '); then
			echo "node $n (127.0.0.1:$(port "$n")): cluster_size/state/ready = $out"
		else
			echo "node $n (127.0.0.1:$(port "$n")): down"
		fi
	done
}

stop_node() { # node
	local f=$DIR/node$1/mariadb.pid
	[[ -f $f ]] || return 0
	local pid
	pid=$(cat "$f")
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 60); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.5
	done
	echo "galera: node $1 (pid $pid) did not stop in 30s: killing it" >&2
	kill -KILL "$pid" 2>/dev/null || true
}

stop() {
	for n in 3 2 1; do
		stop_node "$n"
	done
	# Only ever remove our own directory.
	[[ -d $DIR && -d $DIR/node1 ]] && rm -rf "$DIR"
	echo "galera: stopped"
}

kill_node() {
	local pid
	pid=$(cat "$DIR/node$1/mariadb.pid")
	kill -KILL "$pid"
	echo "galera: killed node $1 (pid $pid)"
}

case ${1:-} in
start) start ;;
stop) stop ;;
status) status ;;
kill) kill_node "${2:?node}" ;;
rejoin)
	launch "${2:?node}"
	wait_node "$2"
	echo "galera: node $2 synced"
	;;
*) die "usage: $0 start|stop|status|kill N|rejoin N" ;;
esac
