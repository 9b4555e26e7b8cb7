#!/usr/bin/env bash
# slurm_test.sh HEAPBENCH SOURCE_DIR WORK_DIR
# A one-node Slurm cluster on this machine, started here as root without
# systemd (a munge key and munged, a generated slurm.conf, slurmctld and
# slurmd on free ports, state and spool under WORK_DIR), a 3-shard sweep
# through harness/slurm.sh (sbatch --array and a merge job with afterok), the
# merged runs checked against `sweep --list`, and every daemon stopped by its
# pid, on failure too.  77 (skipped) without root or without slurm-wlm and
# munge, or where no directory munged accepts can be made.
#
# munged insists that every directory above its socket be open to all (x for
# others) and that no directory above its key and state be writable by others
# unless sticky; a clone under /root (700) or in a group-writable home meets
# neither.  So munge's socket, key, seed and log live in a fresh directory of
# their own, made here under the first of $TMPDIR, /tmp, /var/tmp, /dev/shm
# whose every parent is root-owned, traversable by all, and not writable by
# others (or sticky), whatever the clone's location; it is removed at the end.
set -uo pipefail
hb=$1 src=$2 work=$3
skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "the one-node cluster needs root"
for b in munged mungekey slurmctld slurmd sbatch sinfo; do
  command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || skip "$b is not installed (apt-get install slurm-wlm munge)"
done
export PATH="$PATH:/usr/sbin"
rm -rf "$work" && mkdir -p "$work"/{state,spool,log} || exit 1
acceptable() { # acceptable DIR: DIR and every parent root-owned, x for all, not writable by others unless sticky
  local d
  d=$(readlink -f "$1" 2>/dev/null) || return 1
  [ -d "$d" ] || return 1
  while :; do
    read -r owner mode < <(stat -c '%u %a' "$d") || return 1
    [ "$owner" = 0 ] || return 1
    mode=$((8#$mode))
    [ $((mode & 8#001)) -ne 0 ] || return 1                                     # x for others
    [ $((mode & 8#022)) -eq 0 ] || [ $((mode & 8#1000)) -ne 0 ] || return 1     # writable by group/others: sticky
    [ "$d" = / ] && return 0
    d=$(dirname "$d")
  done
}
mdir=""
for base in "${TMPDIR:-}" /tmp /var/tmp /dev/shm; do
  [ -n "$base" ] && acceptable "$base" || continue
  mdir=$(mktemp -d "$base/heapbench-munge.XXXXXX" 2>/dev/null) && break
done
[ -n "$mdir" ] || skip "no directory munged accepts: none of \$TMPDIR, /tmp, /var/tmp, /dev/shm is root-owned and open to all with every parent"
chmod 755 "$mdir" && mkdir -m 700 "$mdir/key" && mkdir -m 755 "$mdir/run" || exit 1
pids=() # every daemon started here, by pid
remember() { # remember PIDFILE: wait for the pid file, add its pid
  for _ in $(seq 600); do [ -s "$1" ] && break; sleep 0.1; done # up to 60 s: a busy machine is slow
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
cleanup() { stop; rm -rf "$mdir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -5 "$work"/log/*.log "$mdir/munged.log" 2>/dev/null; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

mungekey -c -k "$mdir/key/munge.key" >/dev/null 2>&1 || fail "mungekey failed"
munged --key-file="$mdir/key/munge.key" --socket="$mdir/run/munge.sock" --pid-file="$mdir/run/munged.pid" \
  --log-file="$mdir/munged.log" --seed-file="$mdir/key/seed" 2>"$work/log/munged-start.log" ||
  fail "munged did not start: $(head -3 "$work/log/munged-start.log" "$mdir/munged.log" 2>/dev/null)"
remember "$mdir/run/munged.pid"
host=$(hostname)
cat >"$work/slurm.conf" <<CONF
ClusterName=heapbench-test
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$mdir/run/munge.sock
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
for _ in $(seq 240); do # up to 120 s
  sinfo -h -o %t 2>/dev/null | grep -qx idle && break
  sleep 0.5
done
sinfo -h -o %t | grep -qx idle || fail "the node never became idle: $(sinfo 2>&1)"

args=(-w glibc-simple,random-churn -a libc,pooled -r 2 -t 2 -p scale=0.02 --measure none --no-plots)
"$hb" sweep "${args[@]}" --list | sort >"$work/list.txt" || fail "sweep --list failed"
timeout 500 bash "$src/harness/slurm.sh" -n 3 -o "$work/out" --heapbench "$hb" --wait -- "${args[@]}" ||
  fail "slurm.sh exited $?: $(cat "$work"/out/*.log 2>/dev/null | tail -5)"
python3 - "$work/out/merged/results.csv" <<'PY' | sort | diff - "$work/list.txt" >/dev/null || fail "the merged runs are not those of --list"
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    print("\t".join([r["workload"], r["allocator"], r["collector"] or "-", r["threads"], r["params"], r["run"]]))
PY
for k in 1 2 3; do [ -s "$work/out/shard-$k/results.csv" ] || fail "shard $k wrote nothing"; done
echo "ok: a 3-shard sweep through sbatch merged into exactly the runs of --list"
