#!/bin/bash
# OOM Responder: collect diagnostics on a host that has just had an OOM kill, or (mode pressure) on a host
# under memory pressure, while the process that grows is still alive.
#
# Runs as the collect-diagnostics SSM Command document (aws:runShellScript); see
# docs/ssm-documents.md. Parameters arrive ONLY as environment variables (interpolationType ENV_VAR):
#   SSM_killTime   ISO 8601 time of the kill, or empty
#   SSM_unit       systemd unit of the victim, or empty
#   SSM_pid        pid of the victim, or empty
#   SSM_memcgPath  memory cgroup path of the victim as the kernel printed it, or empty
#   SSM_processHex the victim's name (comm) as hex of its bytes, or empty
#   SSM_kernelTime seconds since boot as the kernel stamped the kill, or empty
#   SSM_killer     kernel or systemd-oomd (empty: kernel): whose log confirms the kill
#   SSM_mode       kill or pressure (empty: kill): pressure has no kill to look for, and adds the largest
#                  processes' smaps_rollup and their growth between two samples
#   SSM_sampleSeconds  pressure mode: seconds between the two samples, 0 to 60 (empty: 10; 0: one sample)
# and are validated again here (defence in depth): a bad value exits 2 before anything runs.
#
# Output: first a compact machine-readable summary (GetCommandInvocation returns only the first 24,000
# characters of stdout, so the summary is capped at 20,000), then human-readable sections.
#
# The host just ran out of memory: no python, no large buffers, no temp files, every probe bounded by
# `timeout`, and each probe's outcome (ok / missing / timeout / error) recorded in the summary. That is why
# this runs with `set -u` but without `set -e`: a failing probe is a finding, not a reason to stop.
set -u
export LC_ALL=C
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# Parameter patterns: the same strings as functions/core/ssm/parameter-specs.ts (a test compares them).
readonly PATTERN_killTime='^$|^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?(Z|[+-][0-9]{2}:?[0-9]{2})$'
readonly PATTERN_unit='^$|^[A-Za-z0-9][A-Za-z0-9:_.@-]{0,254}$'
readonly PATTERN_pid='^$|^[1-9][0-9]{0,6}$'
readonly PATTERN_memcgPath='^$|^/$|^(/[A-Za-z0-9_:@-][A-Za-z0-9._:@-]{0,127}){1,16}$'
readonly PATTERN_processHex='^$|^([0-9a-f]{2}){1,15}$'
readonly PATTERN_kernelTime='^$|^[0-9]{1,10}([.][0-9]{1,9})?$'
readonly PATTERN_killer='^$|^(kernel|systemd-oomd)$'
readonly PATTERN_mode='^$|^(kill|pressure)$'
readonly PATTERN_sampleSeconds='^$|^([0-9]|[1-5][0-9]|60)$'

readonly EXIT_INVALID_PARAMETER=2
# Kernel lines this long before killTime still count. killTime is usually when the log pipeline received the
# kill line, which trails the kernel by the agent's flush interval, and by minutes on a host that is thrashing;
# and dmesg's timestamps (seconds since boot) drift from the wall clock.
readonly EVENT_MARGIN_SECONDS=300
readonly MAX_TOP_PROCESSES=15
readonly MAX_CMDLINE_CHARS=300
readonly MAX_KERNEL_LINES=400
# The kill line's own stamp and the stamp the report carried are the same record's, or one report apart.
readonly KERNEL_TIME_TOLERANCE_SECONDS=2
readonly MAX_CONTAINERS=16
readonly MAX_JVMS=10
# Pressure mode: how many of the largest processes get their smaps_rollup read, and how many growers are listed.
readonly MAX_PRESSURE_PROCESSES=5
# The summary must sit whole inside the 24,000 characters GetCommandInvocation returns.
readonly MAX_SUMMARY_CHARS=20000
# Overridable so tests can point at files of their own (a fake cgroup v2 tree with containers); never SSM
# parameters, which only ever arrive as SSM_ variables.
readonly KUBELET_CONFIG=${OOM_RESPONDER_KUBELET_CONFIG:-/var/lib/kubelet/config.yaml}
readonly CGROUP_FS=${OOM_RESPONDER_CGROUP_FS:-/sys/fs/cgroup}
readonly POD_LOGS=${OOM_RESPONDER_POD_LOGS:-/var/log/containers}
readonly DOCKER_CONTAINERS=${OOM_RESPONDER_DOCKER_CONTAINERS:-/var/lib/docker/containers}
readonly PROC_UPTIME=${OOM_RESPONDER_PROC_UPTIME:-/proc/uptime}

refuse_invalid() {
  # The value itself is not echoed: it may hold control characters meant for a terminal.
  printf 'collect-diagnostics: refused: parameter %s does not match its allowed pattern\n' "$1"
  printf 'result=refused reason=invalid-parameter parameter=%s\n' "$1"
  exit "$EXIT_INVALID_PARAMETER"
}

kill_time=${SSM_killTime-}
unit=${SSM_unit-}
pid=${SSM_pid-}
memcg_path=${SSM_memcgPath-}
process_hex=${SSM_processHex-}
kernel_time=${SSM_kernelTime-}
killer=${SSM_killer-}
mode=${SSM_mode-}
sample_seconds=${SSM_sampleSeconds-}
[[ $kill_time =~ $PATTERN_killTime ]] || refuse_invalid killTime
[[ $unit =~ $PATTERN_unit ]] || refuse_invalid unit
[[ $pid =~ $PATTERN_pid ]] || refuse_invalid pid
[[ $memcg_path =~ $PATTERN_memcgPath ]] || refuse_invalid memcgPath
[[ $process_hex =~ $PATTERN_processHex ]] || refuse_invalid processHex
[[ $kernel_time =~ $PATTERN_kernelTime ]] || refuse_invalid kernelTime
[[ $killer =~ $PATTERN_killer ]] || refuse_invalid killer
[[ $mode =~ $PATTERN_mode ]] || refuse_invalid mode
[[ $sample_seconds =~ $PATTERN_sampleSeconds ]] || refuse_invalid sampleSeconds
[[ -n $killer ]] || killer=kernel
[[ -n $mode ]] || mode='kill'
[[ -n $sample_seconds ]] || sample_seconds=10
# The victim's name three ways, for the kill line of whichever log holds it: the bytes themselves (the journal
# with --all), every byte outside printable ASCII and the backslash as \xNN (dmesg in the C locale), and only
# control bytes so (a UTF-8 terminal's dmesg).
comm_raw='' comm_escaped='' comm_controls=''
for ((i = 0; i < ${#process_hex}; i += 2)); do
  byte=${process_hex:i:2}
  [[ $byte == 00 ]] && refuse_invalid processHex
  # shellcheck disable=SC2059 # the format is the escape that makes the byte; $byte is two hex digits
  printf -v char "\\x$byte"
  comm_raw+=$char
  if ((16#$byte < 32 || 16#$byte >= 127 || 16#$byte == 92)); then comm_escaped+="\\x$byte"; else comm_escaped+=$char; fi
  if ((16#$byte < 32 || 16#$byte == 127)); then comm_controls+="\\x$byte"; else comm_controls+=$char; fi
done
kill_epoch=''
if [[ -n $kill_time ]]; then
  kill_epoch=$(date -d "$kill_time" +%s 2>/dev/null) || refuse_invalid killTime
fi

# Yield to the services recovering from the OOM: low CPU and I/O priority, and if memory runs out again the
# kernel should kill this script before anything that serves users.
renice -n 10 -p $$ >/dev/null 2>&1
ionice -c 2 -n 7 -p $$ >/dev/null 2>&1
printf '1000\n' 2>/dev/null >/proc/self/oom_score_adj

if command -v timeout >/dev/null 2>&1; then
  bounded() { timeout -k 1 "$@"; }
else
  bounded() { shift && "$@"; }
fi

SUMMARY=()  # key=value lines
LATE=()     # key=value lines cut first when the summary would be too long (command lines)
PROBES=()   # probe.<name>=<status> lines
SECTIONS='' # the human-readable part

# kv KEY VALUE: one summary line. Control characters become spaces so a value never spans lines.
kv() {
  local value=${2//[[:cntrl:]]/ }
  SUMMARY+=("$1=${value:0:512}")
}

# probe NAME STATUS: record a probe's outcome; STATUS is ok, missing, timeout, error or an exit status.
probe() {
  local status=$2
  case $status in
    ok | missing | timeout | error) ;;
    0) status=ok ;;
    124 | 137) status=timeout ;;
    126 | 127) status=missing ;;
    *) status=error ;;
  esac
  PROBES+=("probe.$1=$status")
}

# section TITLE TEXT: a human-readable section, printed after the summary.
section() {
  SECTIONS+=$'\n'"--- $1 ---"$'\n'"$2"$'\n'
}

have() { command -v "$1" >/dev/null 2>&1; }

# capture NAME SECONDS CMD...: run CMD under a timeout; stdout into OUT, the outcome into the probe list.
capture() {
  local name=$1 seconds=$2 rc
  shift 2
  OUT=''
  if ! have "$1"; then
    probe "$name" missing
    return 127
  fi
  OUT=$(bounded "$seconds" "$@" 2>/dev/null)
  rc=$?
  probe "$name" "$rc"
  return "$rc"
}

# read_first FILE: the first line of FILE into REPLY (empty when unreadable), without forking.
read_first() {
  REPLY=''
  [[ -r $1 ]] && IFS= read -r REPLY <"$1"
  return 0
}

# cmdline_of PID: its command line into REPLY, arguments joined by spaces, at most MAX_CMDLINE_CHARS
# characters, control characters as spaces. Builtins only: this runs for every top process.
cmdline_of() {
  local arg text=''
  while ((${#text} < MAX_CMDLINE_CHARS)); do
    # -n bounds each read, so one huge argument is never read whole.
    IFS= read -r -d '' -n $((MAX_CMDLINE_CHARS - ${#text})) arg || [[ -n $arg ]] || break
    text+="$arg "
  done 2>/dev/null <"/proc/$1/cmdline"
  text=${text//[[:cntrl:]]/ }
  REPLY=${text%"${text##*[! ]}"}
}

# append_files FILE...: each readable file's lines as "FILE:line" onto SECTION_TEXT, at most 40 a file.
append_files() {
  local file line count
  for file in "$@"; do
    [[ -r $file ]] || continue
    count=0
    while IFS= read -r line && ((count++ < 40)); do SECTION_TEXT+="$file:$line"$'\n'; done 2>/dev/null <"$file"
  done
}

# A byte count into REPLY, or empty when it means "no limit" (v1's 2^63 - page, v2's "max", systemd's
# "infinity" and UINT64_MAX for "not set").
limit_bytes() {
  if [[ $1 =~ ^[0-9]{1,18}$ ]]; then REPLY=$1; else REPLY=''; fi
}

# A -Xmx / -XX:MaxHeapSize value ("4g", "512m", "1073741824") in bytes, into REPLY; digits are bounded
# per suffix so the arithmetic cannot overflow.
size_bytes() {
  REPLY=''
  case $1 in
    *[kK]) [[ ${1%?} =~ ^[0-9]{1,15}$ ]] && REPLY=$((10#${1%?} * 1024)) ;;
    *[mM]) [[ ${1%?} =~ ^[0-9]{1,12}$ ]] && REPLY=$((10#${1%?} * 1048576)) ;;
    *[gG]) [[ ${1%?} =~ ^[0-9]{1,9}$ ]] && REPLY=$((10#${1%?} * 1073741824)) ;;
    *[tT]) [[ ${1%?} =~ ^[0-9]{1,6}$ ]] && REPLY=$((10#${1%?} * 1099511627776)) ;;
    *) [[ $1 =~ ^[0-9]{1,18}$ ]] && REPLY=$((10#$1)) ;;
  esac
  return 0
}

# uptime_cs: centiseconds since boot into REPLY, without forking: pressure mode's clock, which NTP cannot step.
uptime_cs() {
  local up _
  REPLY=''
  read -r up _ 2>/dev/null </proc/uptime && [[ $up =~ ^([0-9]{1,12})[.]([0-9]{2}) ]] &&
    REPLY=$((10#${BASH_REMATCH[1]} * 100 + 10#${BASH_REMATCH[2]}))
  return 0
}

# rss_sample PID: its start time (/proc/PID/stat field 22, which tells a reused pid apart) and VmRSS (KiB) into
# START and RSS; both empty when it exited, is unreadable or is a kernel thread.
rss_sample() {
  local f=() i line
  START='' RSS=''
  read -r -d '' -a f 2>/dev/null <"/proc/$1/stat"
  # The name may hold blanks and ")"; it ends at the last word ending in ")": numbers and a letter follow.
  for ((i = ${#f[@]} - 1; i > 0; i--)); do [[ ${f[i]} == *')' ]] && break; done
  ((i > 0)) && [[ ${f[i + 20]-} =~ ^[0-9]{1,20}$ ]] || return 0
  while IFS= read -r line; do
    [[ $line =~ ^VmRSS:[[:space:]]+([0-9]{1,15})\ kB$ ]] && RSS=${BASH_REMATCH[1]} START=${f[i + 20]} && break
  done 2>/dev/null <"/proc/$1/status"
  return 0
}

# growth_between START1 RSS1 CS1 START2 RSS2 CS2: two samples (start time, VmRSS KiB, uptime_cs) as "SECONDS
# KB_PER_HOUR" into REPLY; empty when no time passed or the start times differ (another process took the pid).
growth_between() {
  REPLY=''
  [[ $1 =~ ^[0-9]+$ && $1 == "$4" && $2$3$5$6 =~ ^[0-9]+$ ]] && (($6 > $3)) || return 0
  printf -v REPLY '%d.%02d %d' $((($6 - $3) / 100)) $((($6 - $3) % 100)) $((($5 - $2) * 360000 / ($6 - $3)))
}

# top_of MAP: up to MAX_PRESSURE_PROCESSES pids of `live` into PICKS, largest MAP[pid] first (MAP: an array's name).
top_of() {
  local n p ref best_ref best
  declare -A taken=()
  PICKS=()
  for ((n = 0; n < MAX_PRESSURE_PROCESSES && n < ${#live[@]}; n++)); do
    best=''
    for p in "${live[@]}"; do
      [[ -n ${taken[$p]-} ]] && continue
      ref="$1[$p]" best_ref="$1[$best]"
      if [[ -z $best ]] || ((${!ref} > ${!best_ref})); then best=$p; fi
    done
    taken[$best]=1
    PICKS+=("$best")
  done
}

# The instance identity, best effort over IMDSv2, run in the background while the local probes run: it
# prints summary lines and its own probe line. A proxy must never see these requests, hence --noproxy.
imds() {
  local token document rc field value
  if ! have curl; then
    printf 'probe.imds=missing\n'
    return
  fi
  token=$(curl -s -f --noproxy '*' --connect-timeout 1 --max-time 1 -X PUT \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token 2>/dev/null)
  rc=$?
  if ((rc == 0)); then
    document=$(curl -s -f --noproxy '*' --connect-timeout 1 --max-time 1 \
      -H "X-aws-ec2-metadata-token: $token" \
      http://169.254.169.254/latest/dynamic/instance-identity/document 2>/dev/null)
    rc=$?
  fi
  case $rc in
    0) printf 'probe.imds=ok\n' ;;
    28) printf 'probe.imds=timeout\n' ;;
    *) printf 'probe.imds=error\n' ;;
  esac
  ((rc == 0)) || return
  for field in instanceId instanceType availabilityZone; do
    value=''
    # The document is small pretty-printed JSON: "instanceId" : "i-0abc...",
    [[ $document =~ \"$field\"[[:space:]]*:[[:space:]]*\"([a-z0-9.-]{1,64})\" ]] && value=${BASH_REMATCH[1]}
    printf '%s=%s\n' "$field" "$value"
  done
}

# ---------------------------------------------------------------------------------------------------------
# Start the only network probe first, so its timeouts overlap the local probes; it answers on fd 3.
exec 3< <(imds)

# Host basics, read from /proc without forking.
TZ=UTC0 printf -v collected_at '%(%Y-%m-%dT%H:%M:%SZ)T' -1
kv collectedAt "$collected_at"
read_first /proc/sys/kernel/hostname
host_name=$REPLY
kv hostname "$host_name"
read_first /proc/sys/kernel/osrelease
kv kernelRelease "$REPLY"
uptime_seconds='' load=''
if read -r uptime_seconds _ 2>/dev/null <"$PROC_UPTIME"; then probe uptime ok; else probe uptime error; fi
if read -r l1 l5 l15 _ 2>/dev/null </proc/loadavg; then
  load="$l1 $l5 $l15"
  probe loadavg ok
else
  probe loadavg error
fi
kv uptimeSeconds "$uptime_seconds"
kv load "$load"
# Online CPUs from the kernel's list ("0-3,6"), without forking.
cpu_count=''
read_first /sys/devices/system/cpu/online
if [[ $REPLY =~ ^[0-9,-]+$ ]]; then
  cpu_count=0 list=$REPLY,
  while [[ -n $list ]]; do
    range=${list%%,*} list=${list#*,}
    cpu_count=$((cpu_count + ${range#*-} - ${range%-*} + 1))
  done
fi
kv cpuCount "$cpu_count"
kv event.killTime "$kill_time"
kv event.unit "$unit"
kv event.pid "$pid"
kv event.memcgPath "$memcg_path"
kv event.mode "$mode"
kv event.sampleSeconds "$sample_seconds"

# Memory, from /proc/meminfo (kB), under the model's names.
meminfo_text=''
declare -A MEMINFO=()
if [[ -r /proc/meminfo ]]; then
  while read -r key value _; do
    MEMINFO[${key%:}]=$value
    meminfo_text+="$key $value kB"$'\n'
  done </proc/meminfo
  probe meminfo ok
else
  probe meminfo error
fi
for pair in totalKb:MemTotal availableKb:MemAvailable freeKb:MemFree buffersKb:Buffers cachedKb:Cached \
  swapTotalKb:SwapTotal swapFreeKb:SwapFree commitLimitKb:CommitLimit committedAsKb:Committed_AS slabKb:Slab \
  sReclaimableKb:SReclaimable sUnreclaimKb:SUnreclaim shmemKb:Shmem anonPagesKb:AnonPages; do
  kv "memory.${pair%%:*}" "${MEMINFO[${pair#*:}]-}"
done

# Memory pressure stall (PSI, Linux 4.20+; no /proc/pressure with psi=0): the share of time tasks waited for
# memory. Cheap, and after a kill avg300 still shows the minutes before it.
psi_text='(no /proc/pressure/memory: a kernel before 4.20, without CONFIG_PSI, or booted with psi=0)'
if [[ -e /proc/pressure/memory ]]; then
  psi_text='' psi_status=error avg='([0-9]{1,3}[.][0-9]{2})'
  psi_line="^(some|full) avg10=$avg avg60=$avg avg300=$avg total=([0-9]{1,20})\$"
  while IFS= read -r line; do
    psi_text+="$line"$'\n'
    [[ $line =~ $psi_line ]] || continue
    [[ ${BASH_REMATCH[1]} == some ]] && psi_status=ok
    for i in 2:avg10 3:avg60 4:avg300 5:totalUs; do kv "pressure.${BASH_REMATCH[1]}.${i#*:}" "${BASH_REMATCH[${i%%:*}]}"; done
  done 2>/dev/null </proc/pressure/memory
  probe psi "$psi_status"
else
  probe psi missing
fi

# Overcommit, swappiness and friends.
vm_text=''
for pair in overcommitMemory:overcommit_memory overcommitRatio:overcommit_ratio swappiness:swappiness \
  panicOnOom:panic_on_oom minFreeKbytes:min_free_kbytes overcommitKbytes:overcommit_kbytes \
  oomKillAllocatingTask:oom_kill_allocating_task; do
  read_first "/proc/sys/vm/${pair#*:}"
  kv "vm.${pair%%:*}" "$REPLY"
  vm_text+="vm.${pair#*:} = $REPLY"$'\n'
done
probe vm ok

# OOM kills since boot (kernel 4.13+).
oom_since_boot=''
if [[ -r /proc/vmstat ]]; then
  while read -r key value; do
    if [[ $key == oom_kill ]]; then
      oom_since_boot=$value
      break
    fi
  done </proc/vmstat
  probe vmstat ok
else
  probe vmstat error
fi

# Swap devices, from /proc/swaps (sizes in KiB; the kernel escapes blanks in paths).
n=0
if [[ -r /proc/swaps ]]; then
  while read -r path type size used priority _; do
    [[ $path == Filename ]] && continue
    n=$((n + 1))
    ((n > 8)) && break
    kv "swap.$n.path" "${path:0:200}"
    kv "swap.$n.type" "$type"
    kv "swap.$n.sizeKb" "$size"
    kv "swap.$n.usedKb" "$used"
    kv "swap.$n.priority" "$priority"
  done </proc/swaps
  probe swaps ok
else
  probe swaps error
fi
swaps_text=''
if capture swapon 1 swapon --show; then swaps_text=$OUT; fi
[[ -n $swaps_text ]] || swaps_text='(no swap is active)'

# Processes: one `ps` gives RSS order, counts and the kubelet; the largest are detailed from /proc.
# This script's own processes (itself, its subshells, ps) are left out: they are not what ran out.
declare -A RSS_OF=() COUNT_OF=() PPID_OF=() COMM_OF=()
top_pids=()
process_total=0
kubelet_running=false
jvm_pids=()
top_text=''
rank=0
# ours PID: true when PID is this script or runs under it (a few levels: subshell, timeout, command).
ours() {
  local at=$1 i
  for ((i = 0; i < 5; i++)); do
    [[ $at == "$$" ]] && return 0
    at=${PPID_OF[$at]-}
    [[ -n $at && $at != 0 ]] || return 1
  done
  return 1
}
if capture ps 2 ps -e -o pid=,ppid=,rss=,comm= --sort=-rss; then
  while read -r p pp _; do PPID_OF[$p]=$pp; done < <(printf '%s\n' "$OUT")
  while read -r p _ r c; do
    [[ $p =~ ^[0-9]+$ && $r =~ ^[0-9]+$ && -n $c ]] || continue
    process_total=$((process_total + 1))
    ours "$p" && continue
    RSS_OF[$p]=$r
    [[ $c == kubelet ]] && kubelet_running=true
    [[ $c == java && ${#jvm_pids[@]} -lt $MAX_JVMS ]] && jvm_pids+=("$p")
    # Kernel threads have no RSS; a storm is of user processes.
    ((r > 0)) && COUNT_OF[$c]=$((${COUNT_OF[$c]-0} + 1))
    rank=$((rank + 1))
    ((rank <= MAX_TOP_PROCESSES)) || continue
    read_first "/proc/$p/oom_score"
    score=$REPLY
    read_first "/proc/$p/oom_score_adj"
    adj=$REPLY
    cmdline_of "$p"
    cmdline=$REPLY
    kv "process.$rank.pid" "$p"
    kv "process.$rank.rssKb" "$r"
    kv "process.$rank.oomScore" "$score"
    kv "process.$rank.oomScoreAdj" "$adj"
    kv "process.$rank.comm" "$c"
    LATE+=("process.$rank.cmdline=$cmdline")
    printf -v line '%8s %10s %9s %13s  %-15s %s' "$p" "$r" "$score" "$adj" "${c//[[:cntrl:]]/ }" "$cmdline"
    top_text+="$line"$'\n'
    top_pids+=("$p")
    COMM_OF[$p]=$c
  done < <(printf '%s\n' "$OUT")
fi
kv processTotal "$process_total"

# Pressure mode: the first sample of the processes listed above, now, so the probes below run during the wait
# for the second (sampleSeconds later, at the end). Both in this run: nothing is kept on the host (read-only).
declare -A START_OF=() FIRST_RSS_OF=() LATEST_RSS_OF=() RATE_OF=() SECONDS_OF=()
live=() first_cs='' first_sample_at=''
if [[ $mode == pressure ]]; then
  uptime_cs
  first_cs=$REPLY
  TZ=UTC0 printf -v first_sample_at '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  for p in ${top_pids[@]+"${top_pids[@]}"}; do
    rss_sample "$p"
    [[ -n $START ]] && live+=("$p") && START_OF[$p]=$START FIRST_RSS_OF[$p]=$RSS LATEST_RSS_OF[$p]=$RSS
  done
fi

# The five most frequent names (ties by name), picked without sorting every name.
counts_text=''
declare -A TAKEN=()
for ((n = 1; n <= 5; n++)); do
  best='' best_count=0
  for name in "${!COUNT_OF[@]}"; do
    [[ -n ${TAKEN[$name]-} ]] && continue
    count=${COUNT_OF[$name]}
    if ((count > best_count)) || { ((count == best_count)) && [[ $name < $best ]]; }; then
      best=$name best_count=$count
    fi
  done
  ((best_count > 0)) || break
  TAKEN[$best]=1
  kv "processCount.$n.name" "$best"
  kv "processCount.$n.count" "$best_count"
  counts_text+="$best_count $best"$'\n'
done

# JVMs: every `java`, and anything else whose command line carries heap flags (jsvc, renamed launchers).
if have grep; then
  while read -r match; do
    match=${match#/proc/}
    match=${match%/cmdline}
    [[ $match =~ ^[0-9]+$ ]] || continue
    [[ " ${jvm_pids[*]-} " == *" $match "* ]] && continue
    # The grep's own `timeout` carries the flags in its command line.
    read_first "/proc/$match/comm"
    [[ -z $REPLY || $REPLY == timeout || $REPLY == grep ]] && continue
    ((${#jvm_pids[@]} < MAX_JVMS)) && jvm_pids+=("$match")
  done < <(bounded 1 grep -l -s -a -F -e -Xmx -e -XX:MaxHeapSize= -e -XX:MaxRAMPercentage= /proc/[0-9]*/cmdline)
  probe jvm ok
else
  probe jvm missing
fi
jvm_text=''
n=0
for p in ${jvm_pids[@]+"${jvm_pids[@]}"}; do
  heap='' ram_percentage='' flags=''
  # The JVM takes the last occurrence of a flag, and so does this loop.
  while IFS= read -r -d '' arg || [[ -n $arg ]]; do
    case $arg in
      -Xmx*)
        size_bytes "${arg#-Xmx}"
        heap=$REPLY flags+=" $arg"
        ;;
      -XX:MaxHeapSize=*)
        size_bytes "${arg#*=}"
        heap=$REPLY flags+=" $arg"
        ;;
      -XX:MaxRAMPercentage=*)
        [[ ${arg#*=} =~ ^[0-9]{1,3}([.][0-9]{1,6})?$ ]] && ram_percentage=${arg#*=} flags+=" $arg"
        ;;
    esac
  done 2>/dev/null <"/proc/$p/cmdline"
  n=$((n + 1))
  kv "jvm.$n.pid" "$p"
  kv "jvm.$n.maxHeapBytes" "$heap"
  kv "jvm.$n.maxRamPercentage" "$ram_percentage"
  kv "jvm.$n.rssKb" "${RSS_OF[$p]-}"
  jvm_text+="pid $p, RSS ${RSS_OF[$p]-?} kB:${flags:- no -Xmx or MaxRAMPercentage (the heap is sized from RAM)}"$'\n'
done
[[ -n $jvm_text ]] || jvm_text='(no JVM processes)'

# The victim's systemd unit.
unit_text=''
unit_cgroup=''
if [[ -n $unit ]]; then
  kv unit.name "$unit"
  if capture systemctl 1 systemctl show -p LoadState -p ActiveState -p SubState -p Result -p NRestarts \
    -p MemoryMax -p MemoryLimit -p MemoryHigh -p MemoryCurrent -p OOMPolicy -p Restart -p ControlGroup \
    -p ExecMainStartTimestamp -p ExecMainCode -p ExecMainStatus -- "$unit"; then
    unit_text=$OUT
    declare -A UNIT=()
    while IFS='=' read -r key value; do
      [[ -n $key ]] && UNIT[$key]=$value
    done < <(printf '%s\n' "$OUT")
    memory_max=${UNIT[MemoryMax]-}
    # systemd on cgroup v1 reports the limit as MemoryLimit.
    [[ $memory_max =~ ^[0-9]+$ ]] || memory_max=${UNIT[MemoryLimit]-}
    limit_bytes "$memory_max"
    memory_max=$REPLY
    limit_bytes "${UNIT[MemoryCurrent]-}"
    kv unit.loadState "${UNIT[LoadState]-}"
    kv unit.activeState "${UNIT[ActiveState]-}"
    kv unit.subState "${UNIT[SubState]-}"
    kv unit.result "${UNIT[Result]-}"
    kv unit.nRestarts "${UNIT[NRestarts]-}"
    kv unit.memoryMaxBytes "$memory_max"
    kv unit.memoryCurrentBytes "$REPLY"
    kv unit.oomPolicy "${UNIT[OOMPolicy]-}"
    unit_cgroup=${UNIT[ControlGroup]-}
    [[ $unit_cgroup =~ $PATTERN_memcgPath ]] || unit_cgroup=''
  else
    unit_text='(systemctl could not tell: no systemd here, or it did not answer within 1 s)'
  fi
fi

# Memory cgroups: the victim's (else the unit's, else the root), v1 or v2, and the root beside it.
cgroup_text=''
cg_version='' cg_root=''
if [[ -f $CGROUP_FS/cgroup.controllers ]]; then
  cg_version=2 cg_root=$CGROUP_FS
elif [[ -d $CGROUP_FS/memory ]]; then
  cg_version=1 cg_root=$CGROUP_FS/memory
fi
if [[ -n $cg_version ]]; then
  if ((cg_version == 1)); then
    limit_file=memory.limit_in_bytes usage_file=memory.usage_in_bytes events_file=memory.oom_control
    files=(limit_in_bytes usage_in_bytes max_usage_in_bytes failcnt memsw.limit_in_bytes memsw.usage_in_bytes
      memsw.max_usage_in_bytes oom_control)
  else
    limit_file=memory.max usage_file=memory.current events_file=memory.events
    files=(max high low min current peak swap.max swap.current events)
  fi
  requested=${memcg_path:-${unit_cgroup:-/}}
  target=$requested
  # A container's or unit's cgroup may be gone already: report its nearest ancestor that still exists.
  while [[ -n $target && $target != / && ! -d $cg_root$target ]]; do target=${target%/*}; done
  [[ -n $target ]] || target=/
  [[ $target == "$requested" ]] || cgroup_text+="(cgroup $requested is gone; showing $target)"$'\n'
  dir=${cg_root}${target%/}
  # The limit that binds is the smallest on the way up to the root.
  limit=''
  up=$dir
  while :; do
    read_first "$up/$limit_file"
    limit_bytes "$REPLY"
    [[ -n $REPLY && (-z $limit || $REPLY -lt $limit) ]] && limit=$REPLY
    [[ $up == "$cg_root" || $up != "$cg_root"/* ]] && break
    up=${up%/*}
  done
  read_first "$dir/$usage_file"
  usage=$REPLY
  kills=''
  if [[ -r $dir/$events_file ]]; then
    while read -r key value; do [[ $key == oom_kill ]] && kills=$value; done <"$dir/$events_file"
  fi
  # The swap the cgroup may use: host swap cannot help a cgroup at its limit that may not swap. The smallest
  # allowance from the cgroup up to the root: v2 memory.swap.max; v1 memory+swap (memsw) minus memory, and a
  # memory.swappiness of 0, with which v1 limit reclaim never swaps. v1 without memsw files does not account
  # swap per cgroup (swapaccount=0): the cgroup may swap as the host does. Empty when nothing says (the root).
  swap_limit='' swap_source=''
  up=$dir
  while [[ $up != "$cg_root" && $up == "$cg_root"/* ]]; do
    allowance='' source=''
    if ((cg_version == 2)); then
      read_first "$up/memory.swap.max"
      [[ -n $REPLY ]] && source=memory.swap.max && limit_bytes "$REPLY" && allowance=${REPLY:-max}
    else
      read_first "$up/memory.memsw.limit_in_bytes"
      limit_bytes "$REPLY"
      memsw=$REPLY
      read_first "$up/memory.limit_in_bytes"
      limit_bytes "$REPLY"
      if [[ -r $up/memory.memsw.limit_in_bytes ]]; then
        source=memory.memsw.limit_in_bytes allowance=max
        [[ -n $memsw ]] && allowance=$((memsw - ${REPLY:-0} > 0 ? memsw - ${REPLY:-0} : 0))
      fi
      if [[ $up == "$dir" ]]; then
        read_first "$up/memory.swappiness"
        [[ $REPLY == 0 ]] && source=memory.swappiness allowance=0
      fi
    fi
    if [[ -n $allowance ]]; then
      if [[ -z $swap_source || ($allowance != max && ($swap_limit == max || $allowance -lt $swap_limit)) ]]; then
        swap_limit=$allowance swap_source=$source
      fi
    fi
    up=${up%/*}
  done
  [[ $dir != "$cg_root" && -z $swap_source && $cg_version == 1 ]] && swap_limit=max swap_source=unaccounted
  kv cgroup.version "$cg_version"
  kv cgroup.path "$target"
  kv cgroup.limitBytes "$limit"
  kv cgroup.usageBytes "$usage"
  kv cgroup.oomKills "$kills"
  kv cgroup.swapLimitBytes "${swap_limit/#max/}"
  kv cgroup.swapLimitSource "$swap_source"
  cgroup_text+="effective limit: ${limit:-none}${limit:+ bytes} (the smallest from $target up to the root)"$'\n'
  case $swap_limit in
    '') swap_text='unknown' ;;
    max) swap_text='no limit of its own' ;;
    *) swap_text="$swap_limit bytes" ;;
  esac
  cgroup_text+="swap allowed: $swap_text (${swap_source:-no cgroup limit applies})"$'\n'
  SECTION_TEXT=''
  dirs=("$cg_root")
  [[ $dir != "$cg_root" ]] && dirs+=("$dir")
  for d in "${dirs[@]}"; do append_files "${files[@]/#/$d/memory.}"; done
  append_files "$dir/memory.stat"
  cgroup_text+=$SECTION_TEXT
  probe cgroup ok
else
  probe cgroup missing
  cgroup_text='(no memory cgroup controller mounted)'
fi

# Containers, from the memory cgroup tree: the limit there is what the kernel enforced, and reading it
# needs neither the runtime's daemon (which may be the OOM victim) nor its 20-40 MB Go CLI. Who a container
# is (its name, image, pod, ECS task) comes from files the runtime and the kubelet leave on disk.
containers_text=''

# json_string JSON KEY: the first "KEY":"value" in JSON into REPLY (no escapes inside; empty when absent).
json_string() {
  REPLY=''
  local pattern="\"$2\":\"([^\"\\\\]*)\""
  [[ $1 =~ $pattern ]] && REPLY=${BASH_REMATCH[1]}
  return 0
}

# container_identity DIR ID: who the container of cgroup DIR is, as container.<n>.* keys (empty ones left out).
# Docker's config.v2.json holds its name (`"Name":"/redis"`), the image it was started from (Config.Image, the
# first "Image"; the second is the sha256 id) and Config.Labels: the ECS agent's `com.amazonaws.ecs.*` and,
# under dockershim, the kubelet's `io.kubernetes.*`. The kubelet's log links name the pod under any runtime.
# shellcheck disable=SC2034 # ecs_cluster and ecs_task are read through ${!var} with the others
container_identity() {
  local d=$1 id=$2 json='' name='' image='' ns='' pod='' ctr='' uid=''
  local ecs_cluster='' ecs_family='' ecs_revision='' ecs_container='' ecs_task=''
  if [[ -r $DOCKER_CONTAINERS/$id/config.v2.json ]]; then
    # -n bounds the read: a container with a huge environment still costs at most 256 KiB here.
    IFS= read -r -d '' -n 262144 json <"$DOCKER_CONTAINERS/$id/config.v2.json" || :
    [[ $json =~ \"Name\":\"/([^\"\\]*)\" ]] && name=${BASH_REMATCH[1]}
    json_string "$json" Image && image=$REPLY
    [[ $image == sha256:* ]] && image=''
    json_string "$json" io.kubernetes.pod.namespace && ns=$REPLY
    json_string "$json" io.kubernetes.pod.name && pod=$REPLY
    json_string "$json" io.kubernetes.container.name && ctr=$REPLY
    json_string "$json" io.kubernetes.pod.uid && uid=$REPLY
    json_string "$json" com.amazonaws.ecs.cluster && ecs_cluster=$REPLY
    json_string "$json" com.amazonaws.ecs.task-definition-family && ecs_family=$REPLY
    json_string "$json" com.amazonaws.ecs.task-definition-version && ecs_revision=$REPLY
    json_string "$json" com.amazonaws.ecs.container-name && ecs_container=$REPLY
    json_string "$json" com.amazonaws.ecs.task-arn && ecs_task=$REPLY
  fi
  if [[ -n ${POD_LOG[$id]-} ]]; then
    IFS=/ read -r ns pod ctr <<<"${POD_LOG[$id]}"
  fi
  # The pod's uid is in its cgroup: kubepods-burstable-pod<uid with _>.slice, or /kubepods/burstable/pod<uid>.
  if [[ -z $uid && $d =~ pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}) ]]; then
    uid=${BASH_REMATCH[1]//_/-}
  fi
  [[ -n $name ]] || name=$ctr
  ident=${name:--}
  [[ -n $pod ]] && ident="pod $ns/$pod container ${ctr:--}"
  [[ -n $ecs_family ]] && ident="ECS task $ecs_family:${ecs_revision:-?} container ${ecs_container:--}"
  [[ -n $image ]] && ident+=" image $image"
  kv "container.$n.runtime" "$runtime"
  kv "container.$n.id" "$id"
  kv "container.$n.name" "${name:0:128}"
  kv "container.$n.memoryLimitBytes" "$limit"
  local key var value
  for key in image:image podUid:uid k8sNamespace:ns k8sPod:pod k8sContainer:ctr ecsCluster:ecs_cluster \
    ecsFamily:ecs_family ecsRevision:ecs_revision ecsContainer:ecs_container ecsTaskArn:ecs_task; do
    var=${key#*:}
    value=${!var}
    [[ -n $value ]] && kv "container.$n.${key%%:*}" "${value:0:256}"
  done
  return 0
}

if [[ -n $cg_version ]] && have find; then
  declare -A POD_LOG=()
  if [[ -d $POD_LOGS ]]; then
    # The kubelet's log links are named <pod>_<namespace>_<container>-<64 hex id>.log.
    for link in "$POD_LOGS"/*.log; do
      base=${link##*/}
      base=${base%.log}
      [[ $base =~ ^([^_]+)_([^_]+)_(.+)-([0-9a-f]{64})$ ]] || continue
      POD_LOG[${BASH_REMATCH[4]}]="${BASH_REMATCH[2]}/${BASH_REMATCH[1]}/${BASH_REMATCH[3]}"
    done
  fi
  cri_runtime=unknown
  [[ -S /run/containerd/containerd.sock ]] && cri_runtime=containerd
  [[ -S /var/run/crio/crio.sock ]] && cri_runtime=cri-o
  # The victim's container first, so the summary's bounds never drop the one the message is about.
  container_dirs=()
  while read -r d; do
    if [[ -n $memcg_path && $cg_root$memcg_path/ == "$d"/* ]]; then
      # ${a[@]+...}: bash 4.2 (Amazon Linux 2) calls an empty array unbound under set -u.
      container_dirs=("$d" ${container_dirs[@]+"${container_dirs[@]}"})
    else
      container_dirs+=("$d")
    fi
  done < <(bounded 1 find "$cg_root" -maxdepth 7 -regextype posix-extended -type d \( -name 'docker-*.scope' \
    -o -name 'cri-containerd-*.scope' -o -name 'crio-*.scope' -o -name 'libpod-*.scope' \
    -o -regex '.*/[0-9a-f]{64}' \) 2>/dev/null)
  n=0 total=0 unlimited=0
  for d in ${container_dirs[@]+"${container_dirs[@]}"}; do
    base=${d##*/}
    runtime='' id=''
    case $base in
      crio-conmon-* | libpod-conmon-*) continue ;;
      docker-*.scope) runtime=docker id=${base#docker-} ;;
      cri-containerd-*.scope) runtime=containerd id=${base#cri-containerd-} ;;
      crio-*.scope) runtime=cri-o id=${base#crio-} ;;
      libpod-*.scope) runtime=podman id=${base#libpod-} ;;
      *) id=$base ;;
    esac
    id=${id%.scope}
    [[ $id =~ ^[0-9a-f]{64}$ ]] || continue
    if [[ -z $runtime ]]; then
      case $d in
        */docker/*) runtime=docker ;;
        */kubepods*) runtime=$cri_runtime ;;
        *) continue ;;
      esac
    fi
    total=$((total + 1))
    read_first "$d/$limit_file"
    limit_bytes "$REPLY"
    limit=$REPLY
    [[ -n $limit ]] || unlimited=$((unlimited + 1))
    ((n >= MAX_CONTAINERS)) && {
      containers_text+="$runtime ${id:0:12} limit=${limit:-none} cgroup=${d#"$cg_root"}"$'\n'
      continue
    }
    n=$((n + 1))
    container_identity "$d" "$id"
    containers_text+="$runtime ${id:0:12} $ident limit=${limit:-none} cgroup=${d#"$cg_root"}"$'\n'
  done
  kv containerTotal "$total"
  kv containersWithoutLimit "$unlimited"
  probe containers ok
  if ((total == 0)); then
    containers_text='(no container cgroups found)'
  else
    containers_text="$total container(s), $unlimited without a memory limit:"$'\n'"$containers_text"
  fi
else
  probe containers missing
  containers_text='(no memory cgroup tree to read containers from)'
fi

# Kubernetes node: a kubelet runs here, or is set up to (kubeadm's config, EKS's /etc/kubernetes/kubelet, the
# kubelet's pod dir); the kubelet itself may be what the OOM killer just took.
kubelet_config=false
[[ -e $KUBELET_CONFIG || -d /var/lib/kubelet/pods || -d /etc/kubernetes/kubelet ]] && kubelet_config=true
kubernetes=false
[[ $kubelet_running == true || $kubelet_config == true ]] && kubernetes=true
kv kubernetes "$kubernetes"

# Free space where a swap file would go.
disk_text=''
if capture df 1 df -PkT /; then
  disk_text=$OUT
  fs_type='' total_kb='' available_kb=''
  { read -r _ && read -r _ fs_type total_kb _ available_kb _; } < <(printf '%s\n' "$OUT")
  kv disk.path /
  kv disk.fsType "$fs_type"
  kv disk.totalKb "$total_kb"
  kv disk.availableKb "$available_kb"
fi

# Largest slab caches (kernel memory); /proc/slabinfo is root only and may be absent.
slab_text=''
if [[ -r /proc/slabinfo ]]; then
  # shellcheck disable=SC2016 # an awk program, not shell
  # The ten largest, kept in order while reading (no sort, no second process).
  slab_text=$(bounded 1 awk 'NR > 2 {
      s = int($3 * $4 / 1024)
      if (n < 10) n++
      else if (s <= size[n]) next
      for (i = n; i > 1 && size[i - 1] < s; i--) { size[i] = size[i - 1]; name[i] = name[i - 1] }
      size[i] = s; name[i] = $1
    }
    END { for (i = 1; i <= n; i++) printf "%d %s\n", size[i], name[i] }' /proc/slabinfo 2>/dev/null)
  probe slabinfo $?
  n=0
  while read -r size_kb name; do
    [[ -n ${name-} ]] || continue
    n=$((n + 1))
    kv "slab.$n.name" "$name"
    kv "slab.$n.sizeKb" "$size_kb"
  done < <(printf '%s\n' "$slab_text")
else
  probe slabinfo missing
  slab_text='(/proc/slabinfo is not readable)'
fi

# Kernel OOM messages since the event. dmesg first: the kill has just happened, so the ring buffer holds
# it, and dmesg is small and needs no journald. journalctl when dmesg fails or no longer reaches back.
# Only what the kernel itself wrote: `dmesg -k` and the journal's kernel transport with facility kern, never
# a record root wrote into /dev/kmsg (the kernel gives those the user facility) nor a syslog line tagged kernel.
# The awk keeps whole reports ("invoked oom-killer" to "Killed process") and other OOM lines, and ends
# with "#meta kills=N first=T match=M<TAB>LINE" (T: the oldest timestamp in the buffer, -1 when none; M how
# well the best kill line matched the reported kill, LINE that line); it keeps only the last `max` lines.
# The reported kill (ENVIRON, so no byte of the name is taken as an awk escape): OOMR_PID, OOMR_COMM1..3 (the
# name as each log may print it), OOMR_TIME (the kernel's stamp of it, or empty). A kill line counts only as the
# whole kernel message, from its start: kernel text that quotes a user's string (a file name in a warning) holds
# "Killed process ..." somewhere inside, never at the start.
# shellcheck disable=SC2016 # an awk program, not shell
readonly OOM_AWK='
  BEGIN {
    first = -1; best = 0; bestline = ""
    want_pid = ENVIRON["OOMR_PID"]; want_time = ENVIRON["OOMR_TIME"]
    c1 = ENVIRON["OOMR_COMM1"]; c2 = ENVIRON["OOMR_COMM2"]; c3 = ENVIRON["OOMR_COMM3"]
    rank["none"] = 0; rank["other-name"] = 1; rank["other-time"] = 2; rank["pid"] = 3; rank["name"] = 4
  }
  # How a kernel message matches the reported kill: name, pid (no name to compare), other-time, other-name, none.
  function kill_match(msg, t,   k, pre, rest) {
    k = index(msg, "Killed process ")
    if (k == 0 || want_pid == "") return "none"
    pre = substr(msg, 1, k - 1)
    if (pre != "" && pre != "Out of memory: " && pre != "Memory cgroup out of memory: " && pre != "Out of Memory: " &&
      pre != "Out of memory (oom_kill_allocating_task): ") return "none"
    rest = substr(msg, k + 15)
    if (index(rest, want_pid) != 1) return "none"
    rest = substr(rest, length(want_pid) + 1)
    # RHEL 6 and older: "Killed process 1234, UID 500, (java) ...".
    if (match(rest, /^, UID [0-9]+, \(/)) rest = substr(rest, RLENGTH + 1)
    else if (substr(rest, 1, 2) == " (") rest = substr(rest, 3)
    else return "none"
    if (c1 != "" && index(rest, c1 ")") != 1 && index(rest, c2 ")") != 1 && index(rest, c3 ")") != 1) return "other-name"
    if (want_time != "" && t != "" && (t < want_time - tolerance || t > want_time + tolerance)) return "other-time"
    return c1 == "" ? "pid" : "name"
  }
  {
    t = ""; msg = $0
    if (match($0, /^\[ *[0-9]+\.[0-9]+\]/)) {
      t = substr($0, 2, RLENGTH - 2) + 0
      if (first < 0) first = t
      if (since != "" && t < since + 0) next
      msg = substr($0, RLENGTH + 2)
      # CONFIG_PRINTK_CALLER: "[ 1234.5][ T4242] ..."
      if (match(msg, /^\[ *[TC][0-9]+\] ?/)) msg = substr(msg, RLENGTH + 1)
    }
    # journalctl -o short-monotonic: "[ 1234.5] host kernel: ..."
    if (source == "journal" && match(msg, /^[^ ]+ kernel: /)) msg = substr(msg, RLENGTH + 1)
    m = kill_match(msg, t)
    if (rank[m] > 0 && rank[m] >= best) { best = rank[m]; bestname = m; bestline = substr($0, 1, 300) }
    if ($0 ~ /invoked oom-killer/) inreport = 1
    # Stack traces, registers and most of the cgroup statistics say little to the on-call engineer.
    # (Portable awk: mawk has no {m,n}.)
    if ($0 ~ /\+0x[0-9a-f]+\/0x|<\/?TASK>|Call Trace:|Code: |\] +R[A-Z0-9][A-Z0-9]?[A-Z0-9]?: |Hardware name:/) next
    if ($0 ~ /Memory cgroup stats for/) stats = 1
    else if ($0 ~ /Tasks state|oom-kill:|Killed process/) stats = 0
    else if (stats && $0 !~ /\] +(anon|file|shmem|swap|rss|cache|hierarchical_memory_limit|hierarchical_memsw_limit) [0-9]/) next
    if (inreport || $0 ~ /Out of memory|out of memory|Killed process|oom-kill:|oom_reaper|memory: usage|swap: usage/)
      kept[count++ % max] = substr($0, 1, 400)
    if ($0 ~ /Killed process [0-9]/) { kills++; inreport = 0 }
  }
  END {
    for (i = (count > max ? count - max : 0); i < count; i++) print kept[i % max]
    printf "#meta kills=%d first=%d match=%s\t%s\n", kills, first, (best > 0 ? bestname : "none"), bestline
  }'
# since: the window's start in dmesg's seconds since boot; reach: how far back the ring buffer must go to hold
# the window, which is never before boot (a buffer whose first line is from boot holds all of this boot).
since='' reach='' kill_before_boot=0
if [[ -n $kill_epoch && $uptime_seconds =~ ^[0-9]+ ]]; then
  printf -v now '%(%s)T' -1
  boot_epoch=$((now - ${uptime_seconds%.*}))
  since=$((kill_epoch - EVENT_MARGIN_SECONDS - boot_epoch))
  reach=$((since > 0 ? since : 0))
  # killTime is when the line was received, never before the kernel printed it: before boot means an earlier boot.
  ((kill_epoch < boot_epoch)) && kill_before_boot=1
fi
export OOMR_PID=$pid OOMR_TIME=$kernel_time OOMR_COMM1=$comm_raw OOMR_COMM2=$comm_escaped OOMR_COMM3=$comm_controls
# kernel_log NAME SOURCE CMD...: CMD's output through OOM_AWK into OUT, its "#meta" line read into META_KILLS,
# META_FIRST, META_MATCH and META_LINE; returns CMD's exit status (or 1 when the awk printed no "#meta").
kernel_log() {
  local name=$1 source=$2 rc meta
  shift 2
  META_KILLS=0 META_FIRST=-1 META_MATCH=none META_LINE=''
  OUT=$(bounded 1 "$@" 2>/dev/null | awk -v since="${AWK_SINCE-}" -v max="$MAX_KERNEL_LINES" -v source="$source" \
    -v tolerance="$KERNEL_TIME_TOLERANCE_SECONDS" "$OOM_AWK"
  exit "${PIPESTATUS[0]}")
  rc=$?
  [[ -n $name ]] && probe "$name" "$rc"
  meta=${OUT##*$'\n'}
  if ((rc == 0)) && [[ $meta =~ ^#meta\ kills=([0-9]+)\ first=(-?[0-9]+)\ match=([a-z-]+) ]]; then
    META_KILLS=${BASH_REMATCH[1]} META_FIRST=${BASH_REMATCH[2]} META_MATCH=${BASH_REMATCH[3]}
    [[ $meta == *$'\t'* ]] && META_LINE=${meta#*$'\t'}
    OUT=${OUT%"$meta"}
    OUT=${OUT%$'\n'}
    return 0
  fi
  OUT=''
  ((rc == 0)) && rc=1
  return "$rc"
}
dmesg_out='' dmesg_first=-1 dmesg_kills=0 dmesg_match=none dmesg_line='' dmesg_kernel_only=0
if have dmesg; then
  # `dmesg -k` (util-linux) prints the kernel facility only; BusyBox's dmesg has no -k: show its lines, but
  # they cannot confirm a kill.
  dmesg_read=0
  if AWK_SINCE=$since kernel_log '' dmesg dmesg -k; then
    dmesg_read=1 dmesg_kernel_only=1
    probe dmesg ok
  elif AWK_SINCE=$since kernel_log dmesg dmesg dmesg; then
    dmesg_read=1
  fi
  if ((dmesg_read)); then
    # A newline stands for "read, and no OOM line in it", which is not "could not read".
    dmesg_out=${OUT:-$'\n'} dmesg_kills=$META_KILLS dmesg_first=$META_FIRST
    dmesg_match=$META_MATCH dmesg_line=$META_LINE
  fi
else
  probe dmesg missing
fi
kernel_text='' kernel_source=none kernel_kills=''
[[ -n $dmesg_out ]] && kernel_text=$dmesg_out kernel_source=dmesg kernel_kills=$dmesg_kills
window=(-b)
[[ -n $kill_epoch ]] && window=(--since "@$((kill_epoch - EVENT_MARGIN_SECONDS))")
# When the ring buffer starts after the event, older lines were overwritten, and a kill of an earlier boot was
# never in it: the journal may still have them.
if [[ -z $dmesg_out ]] || ((kill_before_boot)) || [[ -n $reach && $dmesg_first -gt $reach ]]; then
  if have journalctl; then
    # A journal that works but holds no kernel kill does not beat a ring buffer that holds some.
    if kernel_log journalctl journal journalctl -k SYSLOG_FACILITY=0 -q --no-pager -o short-iso "${window[@]}" &&
      ((META_KILLS > 0 || dmesg_kills == 0)) && [[ -z $dmesg_out || $META_KILLS -ge $dmesg_kills ]]; then
      kernel_text=$OUT kernel_source=journalctl kernel_kills=$META_KILLS
    fi
  else
    probe journalctl missing
  fi
fi
oom_since_event=''
[[ -n $kill_epoch ]] && oom_since_event=$kernel_kills
kernel_text=${kernel_text#$'\n'}
kv oom.killsSinceEvent "$oom_since_event"
kv oom.killsSinceBoot "$oom_since_boot"
kv oom.logSource "$kernel_source"

# Corroboration: is the reported kill in what only the kernel (or systemd-oomd) writes on this host? Remediation
# is planned only when it is (docs/ssm-documents.md). confirmed / not-found (the log was read and does not hold
# it) / unknown (nothing to look for, or no log that could tell).
confirmation=unknown confirmation_source='' confirmation_line='' confirmation_detail=''
who_killed="pid ${pid:-?}${process_hex:+ ($comm_escaped)}"
if [[ $mode == pressure ]]; then
  confirmation_detail='pressure mode: a warning before any kill, so there is no kill to look for'
elif [[ $killer == systemd-oomd ]]; then
  if [[ -z $memcg_path ]]; then
    confirmation_detail='the report names no cgroup to look for'
  elif ! have journalctl; then
    confirmation_detail='journalctl is not available to read systemd-oomd'"'"'s log'
  else
    # _SYSTEMD_UNIT is a trusted field: journald sets it from the sender's cgroup, no client can choose it.
    oomd_line=$(bounded 1 journalctl _SYSTEMD_UNIT=systemd-oomd.service -a -q --no-pager -o short-iso "${window[@]}" \
      2>/dev/null | OOMR_CGROUP=$memcg_path awk '
        {
          msg = $0
          if (!match(msg, /^[^ ]+ [^ ]+ [^ ]+: /)) next
          msg = substr(msg, RLENGTH + 1); path = ENVIRON["OOMR_CGROUP"]
          if (index(msg, "Killed " path " due to ") == 1 || index(msg, "Marked " path " for killing due to ") == 1)
            found = substr($0, 1, 300)
        }
        END { if (found != "") print found }')
    rc=$?
    probe journalctl-oomd "$rc"
    if ((rc != 0)); then
      confirmation_detail="systemd-oomd's journal could not be read (journalctl exit $rc)"
    elif [[ -n $oomd_line ]]; then
      confirmation=confirmed confirmation_source=journal-oomd confirmation_line=$oomd_line
    elif [[ -n $(bounded 1 journalctl -q --no-pager -n 1 -o cat "${window[@]}" 2>/dev/null) ]]; then
      confirmation=not-found confirmation_source=journal-oomd
      confirmation_detail="systemd-oomd's own journal entries hold no kill of $memcg_path"
    else
      # No entry at all for the window: no journal files, or a journal that keeps nothing; it tells nothing.
      confirmation_detail='the journal holds no entries for the window to look in'
    fi
  fi
elif [[ -z $pid ]]; then
  confirmation_detail='the report names no pid to look for'
elif [[ $dmesg_match == name || $dmesg_match == pid ]] && ((dmesg_kernel_only)); then
  confirmation=confirmed confirmation_source=dmesg confirmation_line=$dmesg_line
else
  # The journal keeps what the ring buffer lost. Its monotonic stamps are when journald read the record, so the
  # kill's own stamp is not compared there: the window since killTime bounds it. A journal that returns no
  # kernel line at all for the window does not collect the kernel's log (or has no files): it tells nothing.
  journal_checked=0 best_match=$dmesg_match best_line=$dmesg_line
  if have journalctl &&
    OOMR_TIME='' kernel_log journalctl-confirm journal journalctl -k SYSLOG_FACILITY=0 -a -q --no-pager \
      -o short-monotonic "${window[@]}" && ((META_FIRST != -1)); then
    journal_checked=1
    if [[ $META_MATCH == name || $META_MATCH == pid ]]; then
      confirmation=confirmed confirmation_source=journal-kernel confirmation_line=$META_LINE
    elif [[ $META_MATCH != none ]]; then
      best_match=$META_MATCH best_line=$META_LINE
    fi
  fi
  # The ring buffer holds the kill's time when it starts before it (or at boot): what it lacks did not happen.
  dmesg_complete=0
  if ((dmesg_kernel_only)); then
    if [[ -n $kernel_time ]]; then
      ((dmesg_first <= ${kernel_time%.*})) && dmesg_complete=1
    elif [[ -n $reach ]]; then
      ((dmesg_first <= reach)) && dmesg_complete=1
    fi
    ((dmesg_first >= 0 && dmesg_first <= 5)) && dmesg_complete=1
  fi
  if [[ $confirmation == confirmed ]]; then
    :
  elif ((journal_checked || dmesg_complete)); then
    confirmation=not-found confirmation_source=journal-kernel
    ((journal_checked)) || confirmation_source=dmesg
    case $best_match in
      other-name) confirmation_detail="the kernel killed pid $pid under another name: $best_line" ;;
      other-time) confirmation_detail="the kernel killed $who_killed at another time: $best_line" ;;
      *) confirmation_detail="no kernel line${kill_time:+ since $kill_time minus ${EVENT_MARGIN_SECONDS} s} kills $who_killed" ;;
    esac
  elif ((dmesg_kernel_only)); then
    confirmation_detail='the ring buffer no longer reaches back to the kill, and the journal holds no kernel lines'
  else
    confirmation_detail='neither dmesg -k nor the journal'"'"'s kernel transport could be read'
  fi
fi
kv kill.confirmation "$confirmation"
kv kill.confirmationSource "$confirmation_source"
kv kill.confirmationDetail "${confirmation_detail:0:300}"
kv kill.confirmationLine "$confirmation_line"

# The victim, if it is still (or again) there.
victim_text=''
if [[ -n $pid ]]; then
  if [[ -d /proc/$pid ]]; then
    while IFS= read -r line; do
      case $line in Name:* | State:* | VmRSS:* | VmSwap:*) victim_text+="$line"$'\n' ;; esac
    done 2>/dev/null <"/proc/$pid/status"
  else
    victim_text="pid $pid is not running (the kernel killed it, or it exited)"
  fi
fi

free_text=''
if capture free 1 free -m; then free_text=$OUT; fi

# Pressure mode: the second sample once sampleSeconds have passed since the first, then the smaps_rollup of the
# largest processes still alive (the same pid and start time).
growth_text='(sampleSeconds is 0: one sample, no growth)' smaps_text='(no process to read)'
if [[ $mode == pressure ]]; then
  if ((sample_seconds > 0)) && [[ -n $first_cs ]]; then
    uptime_cs
    wait_cs=$((first_cs + sample_seconds * 100 - ${REPLY:-0}))
    ((wait_cs > 0)) && bounded $((sample_seconds + 2)) sleep "$((wait_cs / 100)).$((wait_cs / 10 % 10))$((wait_cs % 10))"
    uptime_cs
    # ${a[@]+...}: bash 4.2 (Amazon Linux 2) calls an empty array unbound under set -u.
    second_cs=$REPLY first=(${live[@]+"${live[@]}"}) live=()
    for p in ${first[@]+"${first[@]}"}; do
      rss_sample "$p"
      growth_between "${START_OF[$p]}" "${FIRST_RSS_OF[$p]}" "$first_cs" "$START" "$RSS" "$second_cs"
      # shellcheck disable=SC2034 # SECONDS_OF is read through ${!ref}
      [[ -n $REPLY ]] && live+=("$p") && LATEST_RSS_OF[$p]=$RSS SECONDS_OF[$p]=${REPLY% *} RATE_OF[$p]=${REPLY#* }
    done
    probe growth ok
    kv pressure.previousSampleAt "$first_sample_at"
    printf -v growth_text '%8s %10s %12s %14s  %s\n' PID RSS_KB PREVIOUS_KB KB_PER_HOUR COMM
    top_of RATE_OF
    n=0
    for p in ${PICKS[@]+"${PICKS[@]}"}; do
      n=$((n + 1))
      for key in rssKb:LATEST_RSS_OF previousRssKb:FIRST_RSS_OF sinceSeconds:SECONDS_OF kbPerHour:RATE_OF comm:COMM_OF; do
        ref="${key#*:}[$p]"
        kv "pressure.growth.$n.${key%%:*}" "${!ref}"
      done
      kv "pressure.growth.$n.pid" "$p"
      printf -v line '%8s %10s %12s %14s  %s' "$p" "${LATEST_RSS_OF[$p]}" "${FIRST_RSS_OF[$p]}" "${RATE_OF[$p]}" \
        "${COMM_OF[$p]//[[:cntrl:]]/ }"
      growth_text+="$line"$'\n'
    done
  fi
  # One awk under a timeout reads every rollup: the kernel walks a process's page tables to answer, which takes
  # long for a large process on a thrashing host. A rollup it cannot open is "<pid> -": gone (skipped) or denied.
  top_of LATEST_RSS_OF
  if [[ ! -e /proc/self/smaps_rollup ]]; then
    probe smaps missing
    smaps_text='(no smaps_rollup: a kernel before 4.14)'
  elif ((${#PICKS[@]} > 0)); then
    # shellcheck disable=SC2016 # an awk program, not shell
    rollups=$(bounded 2 awk -v pids="${PICKS[*]}" 'BEGIN {
        for (i = 1; i <= split(pids, pid, " "); i++) {
          f = "/proc/" pid[i] "/smaps_rollup"; v["Rss:"] = v["Pss:"] = v["Anonymous:"] = v["Swap:"] = "-"
          while ((getline line < f) > 0) { split(line, w, " "); if (w[1] in v) v[w[1]] = w[2] }
          close(f)
          print pid[i], v["Rss:"], v["Pss:"], v["Anonymous:"], v["Swap:"]
        }
      }' 2>/dev/null)
    smaps_status=$? n=0
    printf -v smaps_text '%8s %10s %10s %12s %9s  %s\n' PID RSS_KB PSS_KB ANONYMOUS_KB SWAP_KB COMM
    while read -r p rss pss anon swap; do
      [[ $p =~ ^[0-9]+$ ]] || continue
      if [[ ! $rss =~ ^[0-9]+$ ]]; then
        [[ -d /proc/$p && $smaps_status == 0 ]] && smaps_status=error
        continue
      fi
      n=$((n + 1))
      for key in pid:p rssKb:rss pssKb:pss anonymousKb:anon swapKb:swap; do
        ref=${key#*:}
        kv "pressure.smaps.$n.${key%%:*}" "${!ref/#-/}"
      done
      kv "pressure.smaps.$n.comm" "${COMM_OF[$p]}"
      printf -v line '%8s %10s %10s %12s %9s  %s' "$p" "$rss" "$pss" "$anon" "$swap" "${COMM_OF[$p]//[[:cntrl:]]/ }"
      smaps_text+="$line"$'\n'
    done < <(printf '%s\n' "$rollups")
    probe smaps "$smaps_status"
  else
    probe smaps ok
  fi
fi

# The identity probe started at the top has finished by now or soon (curl gives up within 2 s).
imds_text=''
while IFS= read -r line; do
  case $line in
    probe.*) PROBES+=("$line") ;;
    instanceId=* | instanceType=* | availabilityZone=*)
      kv "${line%%=*}" "${line#*=}"
      imds_text+="$line"$'\n'
      ;;
  esac
done <&3
exec 3<&-
[[ -n $imds_text ]] || imds_text='(IMDSv2 did not answer: not on EC2, IMDS disabled, or its hop limit)'

# ---------------------------------------------------------------------------------------------------------
# The summary, capped: command lines come last and are what gets cut if it would grow too long.
summary="=== oom-responder summary v1 ==="$'\n'
for line in "${SUMMARY[@]}" "${PROBES[@]}"; do summary+="$line"$'\n'; done
budget=$((MAX_SUMMARY_CHARS - ${#summary} - 64))
for line in ${LATE[@]+"${LATE[@]}"}; do
  if ((${#line} + 1 > budget)); then
    summary+="summaryTruncated=true"$'\n'
    break
  fi
  summary+="$line"$'\n'
  budget=$((budget - ${#line} - 1))
done
summary+="=== end oom-responder summary v1 ==="
printf '%s\n' "$summary"

kernel_window='this boot'
[[ -n $kill_time ]] && kernel_window="since $kill_time minus ${EVENT_MARGIN_SECONDS} s"
printf '\n###### OOM Responder diagnostics: %s at %s ######\n' "${host_name:-host}" "$collected_at"
printf 'mode=%s killTime=%s unit=%s pid=%s memcgPath=%s\n' "$mode" "${kill_time:--}" "${unit:--}" "${pid:--}" \
  "${memcg_path:--}"
section "kernel OOM messages ($kernel_source, $kernel_window)" "${kernel_text:-(none found)}"
[[ -n $pid ]] && section "victim pid $pid" "$victim_text"
section 'free -m' "${free_text:-(free did not answer)}"
section '/proc/meminfo' "$meminfo_text"
section 'memory pressure (/proc/pressure/memory)' "${psi_text%$'\n'}"
section "top $MAX_TOP_PROCESSES processes by RSS" \
  "$(printf '%8s %10s %9s %13s  %-15s %s' PID RSS_KB OOM_SCORE OOM_SCORE_ADJ COMM CMDLINE)"$'\n'"$top_text"
if [[ $mode == pressure ]]; then
  section "smaps_rollup of the $MAX_PRESSURE_PROCESSES largest processes (KiB)" "${smaps_text%$'\n'}"
  section "growth over ${sample_seconds} s (VmRSS; the $MAX_PRESSURE_PROCESSES fastest)" "${growth_text%$'\n'}"
fi
section 'most frequent process names (count name)' "${counts_text%$'\n'}"
section 'swap' "$swaps_text"
section 'virtual memory settings (/proc/sys/vm)' "$vm_text"
[[ -n $unit ]] && section "systemd unit $unit" "$unit_text"
section "memory cgroup (v${cg_version:-?})" "$cgroup_text"
section 'containers (from the memory cgroup tree)' "$containers_text"
section 'kubernetes' "kubelet running: $kubelet_running; kubelet set up ($KUBELET_CONFIG, /var/lib/kubelet/pods or /etc/kubernetes/kubelet): $kubelet_config"
section 'JVMs' "$jvm_text"
section 'disk where a swap file would go' "${disk_text:-(df did not answer)}"
section 'largest slab caches (KiB name)' "$slab_text"
section 'uptime and load' "up ${uptime_seconds:-?} s, load ${load:-?}, ${cpu_count:-?} CPUs"
section 'instance (IMDSv2)' "$imds_text"
section 'probes' "$(printf '%s\n' "${PROBES[@]}")"
printf '%s' "$SECTIONS"
exit 0
