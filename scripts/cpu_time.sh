#!/usr/bin/env bash
# Run a command and print its wall time and the CPU time the whole machine spent meanwhile (from /proc/stat):
# how much of the machine's cores a run kept busy, e.g. `scripts/cpu_time.sh make test`.
read -r _ user nice system _ _ irq softirq _ < /proc/stat
busy0=$((user + nice + system + irq + softirq)); t0=$(date +%s.%N)
"$@"; rc=$?
read -r _ user nice system _ _ irq softirq _ < /proc/stat
busy1=$((user + nice + system + irq + softirq)); t1=$(date +%s.%N)
python3 -c "w = $t1 - $t0; b = ($busy1 - $busy0) / $(getconf CLK_TCK); print(f'wall {w:.0f} s, busy {b:.0f} cpu-s, mean cores {b / w:.2f}')"
exit $rc
