#!/usr/bin/env bash
# slurm_test.sh HEAPBENCH SOURCE_DIR WORK_DIR
# A one-node Slurm cluster on this machine, started here as root without
# systemd (a munge key and munged, a generated slurm.conf, slurmctld and
# slurmd on free ports, state and spool under WORK_DIR), a 3-shard sweep
# through harness/slurm.sh (sbatch --array and a merge job with afterok), the
# merged runs checked against `sweep --list`, and every daemon stopped by its
# pid, on failure too.  77 (skipped) without root or without slurm-wlm and
# munge.
set -uo pipefail
hb=$1 src=$2 work=$3
skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "the one-node cluster needs root"
for b in munged mungekey slurmctld slurmd sbatch sinfo; do
  command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || skip "$b is not installed (apt-get install slurm-wlm munge)"
done
export PATH="$PATH:/usr/sbin"
rm -rf "$work" && mkdir -p "$work"/{munge,run,state,spool,log} || exit 1
chmod 700 "$work/munge" # the key
chmod 755 "$work/run"   # the socket: munged wants its directory open to all
pids=() # every daemon started here, by pid
remember() { # remember PIDFILE: wait for the pid file, add its pid
  for _ in $(seq 50); do [ -s "$1" ] && break; sleep 0.1; done
  [ -s "$1" ] && pids+=("$(cat "$1")")
}
stop() {
  [ ${#pids[@]} -gt 0 ] || return 0
  kill "${pids[@]}" 2>/dev/null
  for _ in $(seq 100); do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  kill -9 "${pids[@]}" 2>/dev/null
}
trap stop EXIT
fail() { echo "FAIL: $*"; tail -5 "$work"/log/*.log 2>/dev/null; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

mungekey -c -k "$work/munge/munge.key" >/dev/null 2>&1 || fail "mungekey failed"
munged --key-file="$work/munge/munge.key" --socket="$work/run/munge.sock" --pid-file="$work/run/munged.pid" \
  --log-file="$work/log/munged.log" --seed-file="$work/munge/seed" || fail "munged did not start"
remember "$work/run/munged.pid"
host=$(hostname)
cat >"$work/slurm.conf" <<CONF
ClusterName=heapbench-test
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$work/run/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=hb Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
remember "$work/slurmctld.pid"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
remember "$work/slurmd.pid"
for _ in $(seq 60); do
  sinfo -h -o %t 2>/dev/null | grep -qx idle && break
  sleep 0.5
done
sinfo -h -o %t | grep -qx idle || fail "the node never became idle: $(sinfo 2>&1)"

args=(-w glibc-simple,random-churn -a libc,pooled -r 2 -t 2 -p scale=0.02 --measure none --no-plots)
"$hb" sweep "${args[@]}" --list | sort >"$work/list.txt" || fail "sweep --list failed"
timeout 240 bash "$src/harness/slurm.sh" -n 3 -o "$work/out" --heapbench "$hb" --wait -- "${args[@]}" ||
  fail "slurm.sh exited $?: $(cat "$work"/out/*.log 2>/dev/null | tail -5)"
python3 - "$work/out/merged/results.csv" <<'PY' | sort | diff - "$work/list.txt" >/dev/null || fail "the merged runs are not those of --list"
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    print("\t".join([r["workload"], r["allocator"], r["collector"] or "-", r["threads"], r["params"], r["run"]]))
PY
for k in 1 2 3; do [ -s "$work/out/shard-$k/results.csv" ] || fail "shard $k wrote nothing"; done
echo "ok: a 3-shard sweep through sbatch merged into exactly the runs of --list"
