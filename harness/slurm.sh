#!/usr/bin/env bash
# slurm.sh: a heapbench sweep split over a Slurm cluster, merged when done.
#
#   bash harness/slurm.sh -n N -o DIR [--heapbench PATH] [--sbatch "ARGS"] [--wait] -- SWEEP-ARGS...
#
# Submits one job array of N tasks (sbatch --array=1-N); task K runs
# `heapbench sweep SWEEP-ARGS --shard K/N -o DIR/shard-K`.  Then a merge job
# that depends on the whole array (--dependency=afterok) runs `heapbench
# merge -o DIR/merged DIR/shard-*`: one results.csv, the plots and
# summary.md.  DIR must be on a file system every node sees.  Prints the two
# job ids; --wait returns when the merge job has ended, with its status.
# Exit status: 0 submitted (or, with --wait, merged), 1 a job failed (or its
# submission was refused by a running cluster), 2 bad input or no Slurm here
# (sbatch or sinfo missing, or no controller answers sinfo).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "slurm.sh: $*" >&2; exit 2; }
N="" DIR="" HB="${HEAPBENCH:-$ROOT/build/heapbench}" SBATCH_ARGS="" WAIT=0
while [ $# -gt 0 ]; do
  case "$1" in
    -n) [ $# -ge 2 ] || die "-n needs a value"; N="$2"; shift 2 ;;
    -o) [ $# -ge 2 ] || die "-o needs a value"; DIR="$2"; shift 2 ;;
    --heapbench) [ $# -ge 2 ] || die "--heapbench needs a value"; HB="$2"; shift 2 ;;
    --sbatch) [ $# -ge 2 ] || die "--sbatch needs a value"; SBATCH_ARGS="$2"; shift 2 ;;
    --wait) WAIT=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$N" =~ ^[1-9][0-9]{0,3}$ ]] || die "-n N: expected the number of shards, 1 to 9999"
[ -n "$DIR" ] || die "no output directory (-o DIR)"
[ -x "$HB" ] || die "no heapbench at $HB (build it, or --heapbench PATH)"
command -v sbatch >/dev/null || die "no Slurm here: sbatch is not installed (apt-get install slurm-client)"
command -v sinfo >/dev/null || die "no Slurm here: sinfo is not installed (apt-get install slurm-client)"
sinfo -h -o %P >/dev/null 2>&1 ||
  die "no Slurm here: no controller answers sinfo ($(sinfo -h -o %P 2>&1 | head -n 1))"
for a in "$@"; do
  case "$a" in --shard|--shard=*|-o|--list) die "sweep argument '$a' is set by slurm.sh" ;; esac
done
"$HB" sweep "$@" --list >/dev/null || die "the sweep arguments are refused by heapbench sweep (see above)"
mkdir -p "$DIR" || die "cannot create $DIR"
DIR="$(cd "$DIR" && pwd)"
[ -e "$DIR/merged/results.csv" ] && die "$DIR/merged already has results"
quoted="$(printf ' %q' "$@")"
# shellcheck disable=SC2086
array=$(sbatch --parsable $SBATCH_ARGS --job-name=heapbench-sweep --array="1-$N" --output="$DIR/shard-%a.log" \
  --wrap "$(printf '%q' "$HB") sweep$quoted --shard \$SLURM_ARRAY_TASK_ID/$N -o $(printf '%q' "$DIR")/shard-\$SLURM_ARRAY_TASK_ID") ||
  { echo "slurm.sh: sbatch of the array failed" >&2; exit 1; }
array=${array%%;*}
shards=""
for k in $(seq 1 "$N"); do shards+=" $(printf '%q' "$DIR/shard-$k")"; done
# shellcheck disable=SC2086
merge=$(sbatch --parsable $SBATCH_ARGS --job-name=heapbench-merge --dependency="afterok:$array" \
  --kill-on-invalid-dep=yes --output="$DIR/merge.log" $( [ "$WAIT" = 1 ] && echo --wait ) \
  --wrap "$(printf '%q' "$HB") merge -o $(printf '%q' "$DIR/merged")$shards")
rc=$?
merge=${merge%%;*}
echo "slurm.sh: array job $array (shards in $DIR/shard-K), merge job $merge (-> $DIR/merged)"
[ "$rc" -eq 0 ] || { echo "slurm.sh: the merge job failed or never ran; see $DIR/merge.log and $DIR/shard-*.log" >&2; exit 1; }
exit 0
