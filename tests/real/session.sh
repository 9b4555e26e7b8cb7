# session.sh: sourced by the real-program tests (program_test.sh,
# soak_test.sh).  Every heapbench run there starts a session of its own
# (setsid); what it starts stays in that session (programs get process groups
# of their own, never sessions), so "left behind" is decided from the
# session's processes only: the user's own servers, or another checkout's
# test suite running beside this one, do not count.  Needs $hb (heapbench).
live() { # live SID: pids of the session SID other than zombies (dead, waiting for their reaper)
  ps -e -o pid=,sid=,stat= | awk -v s="$1" '$2 == s && $3 !~ /^Z/ { print $1 }'
}
gone() { # gone SID: waits (up to 60 s: a killed process takes a moment to die) for the session to empty
  for _ in $(seq 600); do
    [ -z "$(live "$1")" ] && return 0
    sleep 0.1
  done
  return 1
}
run_in_session() { # run_in_session SIDFILE ARGS...: heapbench ARGS as the leader of a new session
  local f=$1
  shift
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$f" "$hb" "$@"
}
