#!/usr/bin/env bash
# A single-node Slurm cluster on localhost for pulse's cluster executor: munge, slurmctld and slurmd from Debian's
# slurm-wlm, started by hand (no systemd) with every file (configuration, key, sockets, state, logs, PIDs) in DIR.
#
#   scripts/slurm-cluster.sh start DIR [PORT]   start it (slurmctld on PORT, slurmd on PORT+1; default 16817);
#                                               prints the line to export: SLURM_CONF=DIR/slurm.conf
#   scripts/slurm-cluster.sh stop DIR           stop the daemons this script started in DIR, by their PIDs
#   scripts/slurm-cluster.sh status DIR         sinfo of the cluster in DIR
#
# It never touches /etc/slurm, /etc/munge or a daemon it did not start: stop kills a PID only when that process's
# command line names DIR. Needs root (slurmd starts jobs as their user) and scripts/install-deps.sh's packages.
set -euo pipefail

usage() { echo "usage: $0 start DIR [PORT] | stop DIR | status DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
port=${3:-16817}
conf="$dir/slurm.conf"
daemons=(slurmd slurmctld munged)

# The PID in DIR/run/NAME.pid when that process is alive and was started with DIR on its command line.
owned_pid() {
  local file="$dir/run/$1.pid" pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$dir" || return 1
  echo "$pid"
}

alive() { [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  [ "$(id -u)" -eq 0 ] || { echo "slurm-cluster: start needs root (slurmd runs jobs as their user)" >&2; exit 1; }
  for tool in munged mungekey slurmctld slurmd sinfo; do
    command -v "$tool" > /dev/null || { echo "slurm-cluster: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
  done
  for daemon in "${daemons[@]}"; do
    if owned_pid "$daemon" > /dev/null; then echo "slurm-cluster: already running in $dir ($daemon)" >&2; exit 1; fi
  done
  for p in "$port" "$((port + 1))"; do
    port_free "$p" || { echo "slurm-cluster: port $p is taken (another Slurm?); give another PORT" >&2; exit 1; }
  done
  # The daemons keep every descriptor they start with: close all but stdio, so that none holds the caller's pipes.
  for fd in $(ls /proc/$$/fd); do
    [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
  done
  chmod 755 "$dir"
  mkdir -p "$dir/run" "$dir/log" "$dir/state" "$dir/spool"
  chmod 755 "$dir/run"
  [ -f "$dir/munge.key" ] || mungekey --create --keyfile="$dir/munge.key"
  chmod 400 "$dir/munge.key"
  munged --key-file="$dir/munge.key" --socket="$dir/run/munge.socket" --pid-file="$dir/run/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/state/munged.seed" < /dev/null > /dev/null 2>&1 \
    || { echo "slurm-cluster: munged did not start: $(tail -n 1 "$dir/log/munged.log")" >&2; exit 1; }
  cat > "$conf" <<CONF
# Written by scripts/slurm-cluster.sh: a single-node cluster whose files all live in $dir.
ClusterName=pulse
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/run/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,bf_interval=1
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=pulse Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  slurmctld -f "$conf" < /dev/null > /dev/null 2>&1
  slurmd -f "$conf" -N localhost < /dev/null > /dev/null 2>&1
  for _ in $(seq 1 100); do
    if SLURM_CONF="$conf" sinfo -h -o %T 2>/dev/null | grep -q idle; then
      echo "SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.1
  done
  echo "slurm-cluster: the node did not become idle in 10 s; logs in $dir/log" >&2
  stop
  exit 1
}

stop() {
  local stopped=0 pid
  for daemon in "${daemons[@]}"; do
    if pid=$(owned_pid "$daemon"); then
      kill "$pid"
      for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
      if alive "$pid"; then kill -9 "$pid"; fi
      stopped=$((stopped + 1))
    fi
  done
  echo "slurm-cluster: stopped $stopped daemons in $dir"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  status) SLURM_CONF="$conf" sinfo ;;
  *) usage ;;
esac
