# CPU accounting for the benchmark scripts (sourced): clock ticks, divide by `getconf CLK_TCK`.

# pg_cpu DIR: the PostgreSQL server of data directory DIR: the postmaster, the children it reaped
# (cutime, cstime) and its live children.
pg_cpu() {
  local pm s p
  pm=$(head -n1 "$1/postmaster.pid")
  s=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for p in $(pgrep -P "$pm"); do s=$((s + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$s"
}

# pid_cpu PID: one process (user and system time, its threads included).
pid_cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
