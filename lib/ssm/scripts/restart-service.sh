#!/bin/bash
# OOM Responder: restart the systemd service an OOM kill took down, unless systemd already has.
#
# Runs as the restart-service SSM Command document (aws:runShellScript); see
# docs/ssm-documents.md. Parameters arrive ONLY as environment variables (interpolationType ENV_VAR) and are
# validated again here:
#   SSM_unit       the service, e.g. myapp.service (the policy's allow-list was checked before sending)
#   SSM_memcgPath  the killed task's memory cgroup as the kernel printed it, or empty
#   SSM_dryRun     "true": report what would be done, change nothing
#   SSM_drill      "true" for an oom-responder drill: refuse, whatever else is asked (exit 9)
#
# When the unit is active again (its own Restart= revived it) it reports the state and does nothing. When
# systemd is restarting it (activating), it waits for that first. Otherwise it restarts the unit, waits up
# to 30 s for it to be active, and checks that it is still active a few seconds later.
# Exit status: 0 done / already-ok / dry-run, 2 invalid parameter, 3 protected unit, 4 unit not loaded,
# 5 restart failed, 6 not active after waiting, 7 systemd unavailable, 8 user-unit: the killed task ran under
# a user's manager (user@<uid>.service), whose units the system manager must never restart, 9 a drill (a drill
# never changes a host). The last line is machine-readable:
#   result=done|already-ok|dry-run|refused|failed reason=<code> unit=<unit> before=<active>/<sub>
#   after=<active>/<sub> nRestarts=<n> verification=<code>
#
# `set -u` but not `set -e`: every step's failure is checked explicitly and gets its own exit status.
set -u
export LC_ALL=C
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# Parameter patterns: the same strings as functions/core/ssm/parameter-specs.ts (a test compares them).
readonly PATTERN_unit='^[A-Za-z0-9]([A-Za-z0-9:_.@-]{0,245}[A-Za-z0-9:_.-])?[.]service$'
readonly PATTERN_memcgPath='^$|^/$|^(/[A-Za-z0-9_:@-][A-Za-z0-9._:@-]{0,127}){1,16}$'
readonly PATTERN_dryRun='^(true|false)$'
readonly PATTERN_drill='^(true|false)$'

# Overridable so tests need not wait; never SSM parameters.
readonly WAIT_SECONDS=${OOM_RESPONDER_WAIT_SECONDS:-30}
readonly SETTLE_SECONDS=${OOM_RESPONDER_SETTLE_SECONDS:-3}

unit=${SSM_unit-}
memcg_path=${SSM_memcgPath-}
dry_run=${SSM_dryRun-}
drill=${SSM_drill-}
before=- after=- n_restarts=- verification=none

# finish STATUS RESULT REASON MESSAGE: the human line, the machine-readable line, the exit status.
finish() {
  printf 'restart-service: %s\n' "$4"
  printf 'result=%s reason=%s unit=%s before=%s after=%s nRestarts=%s verification=%s\n' "$2" "$3" "${unit:--}" \
    "$before" "$after" "$n_restarts" "$verification"
  exit "$1"
}

invalid() {
  # The value itself is not echoed: it may hold control characters meant for a terminal.
  unit=''
  finish 2 refused invalid-parameter "refused: parameter $1 does not match its allowed pattern"
}
[[ $unit =~ $PATTERN_unit ]] || invalid unit
[[ $memcg_path =~ $PATTERN_memcgPath ]] || invalid memcgPath
[[ $dry_run =~ $PATTERN_dryRun ]] || invalid dryRun
# Unset (the script run by hand, or by a document version before the parameter) is not a drill: the default.
[[ -z $drill ]] && drill=false
[[ $drill =~ $PATTERN_drill ]] || invalid drill
[[ $WAIT_SECONDS =~ ^[0-9]{1,3}$ ]] || invalid OOM_RESPONDER_WAIT_SECONDS
[[ $SETTLE_SECONDS =~ ^[0-9]{1,2}$ ]] || invalid OOM_RESPONDER_SETTLE_SECONDS
# Before systemd is asked anything, dry run or not: a drill's kill is synthetic and nothing on the host is changed.
[[ $drill == true ]] && finish 9 refused drill "refused: a drill never changes a host"

# Never restarted from here, whatever the policy says: the SSM agent running this very command, systemd's own
# services, logins, networking, time, the log shippers and the container runtimes. The same list as
# functions/core/policy/protected-units.ts (a test compares them), which says why each is there.
readonly PROTECTED_UNITS=(
  'amazon-ssm-agent.service'
  'snap.amazon-ssm-agent.*.service'
  'systemd-*.service'
  'dbus.service'
  'dbus-broker.service'
  'polkit.service'
  'user@*.service'
  'user-runtime-dir@*.service'
  'getty@*.service'
  'serial-getty@*.service'
  'ssh.service'
  'sshd.service'
  'ssh@*.service'
  'sshd@*.service'
  'NetworkManager.service'
  'NetworkManager-*.service'
  'network.service'
  'networking.service'
  'wicked.service'
  'wickedd.service'
  'dhcpcd.service'
  'chronyd.service'
  'chrony.service'
  'ntpd.service'
  'ntp.service'
  'rsyslog.service'
  'syslog-ng.service'
  'syslog.service'
  'amazon-cloudwatch-agent.service'
  'awslogsd.service'
  'awslogs.service'
  'auditd.service'
  'docker.service'
  'containerd.service'
  'crio.service'
  'podman.service'
  'kubelet.service'
  'ecs.service'
)
for pattern in "${PROTECTED_UNITS[@]}"; do
  # shellcheck disable=SC2053 # the pattern is a glob on purpose
  [[ $unit == $pattern ]] && finish 3 refused protected-unit "refused: $unit is never restarted automatically"
done

# A user's own services (systemctl --user) live below user@<uid>.service. The system manager may have a unit of
# the same name, but it is not the one that was killed: restarting it would act on the wrong service.
readonly USER_MANAGER_CGROUP='/(user@([0-9]{1,10})[.]service)(/|$)'
if [[ $memcg_path =~ $USER_MANAGER_CGROUP ]]; then
  finish 8 refused user-unit "refused: $unit ran under the user manager of uid ${BASH_REMATCH[2]} (${BASH_REMATCH[1]}); it is never restarted through the system manager"
fi

if command -v timeout >/dev/null 2>&1; then
  bounded() { timeout -k 5 "$@"; }
else
  bounded() { shift && "$@"; }
fi

# Read the unit's state into LOAD, ACTIVE, SUB, RESULT and RESTARTS. `systemctl show` prints Key=Value
# lines on every systemd version (no --value: systemd 219 on Amazon Linux 2 lacks it).
read_state() {
  local output key value
  LOAD='' ACTIVE='' SUB='' RESULT='' RESTARTS=''
  output=$(bounded 10 systemctl show -p LoadState -p ActiveState -p SubState -p Result -p NRestarts -- "$unit" \
    2>/dev/null) || return 1
  while IFS='=' read -r key value; do
    case $key in
      LoadState) LOAD=$value ;;
      ActiveState) ACTIVE=$value ;;
      SubState) SUB=$value ;;
      Result) RESULT=$value ;;
      NRestarts) RESTARTS=$value ;;
    esac
  done < <(printf '%s\n' "$output")
  [[ -n $LOAD && -n $ACTIVE ]]
}

# wait_active SECONDS: poll until active (0), failed or out of time (1). State is left in the globals.
wait_active() {
  local deadline=$((SECONDS + $1))
  while :; do
    read_state || return 1
    [[ $ACTIVE == active ]] && return 0
    [[ $ACTIVE == failed ]] && return 1
    ((SECONDS >= deadline)) && return 1
    sleep 1
  done
}

token() { printf '%s' "${1:-unknown}" | tr -c 'A-Za-z0-9._:@/-' '_'; }

# ---------------------------------------------------------------------------------------------------------
# A dry run reports what it would do, which it can without systemd: that a real run would fail is its finding.
no_systemd() {
  [[ $dry_run == true ]] && finish 0 dry-run systemd-unavailable "dry run: would restart $unit, but a real run would fail now: $1"
  finish 7 failed systemd-unavailable "failed: $1"
}
command -v systemctl >/dev/null 2>&1 || no_systemd "systemctl is not installed"
read_state || no_systemd "systemd did not answer (not running, or busy for 10 s)"
before=$(token "$ACTIVE")/$(token "$SUB")
after=$before
n_restarts=$(token "$RESTARTS")
printf 'restart-service: %s: LoadState=%s ActiveState=%s SubState=%s Result=%s NRestarts=%s\n' "$unit" "$LOAD" \
  "$ACTIVE" "$SUB" "$RESULT" "${RESTARTS:-?}"

[[ $LOAD == loaded ]] || finish 4 refused unit-not-loaded "refused: $unit is $LOAD (not a loaded unit)"

if [[ $ACTIVE == active || $ACTIVE == reloading ]]; then
  verification=already-active
  result=already-ok
  [[ $dry_run == true ]] && result=dry-run
  finish 0 "$result" already-active "$unit is already active again (Result=$RESULT NRestarts=${RESTARTS:-?}); nothing to do"
fi

if [[ $dry_run == true ]]; then
  finish 0 dry-run none "dry run: would restart $unit (now $ACTIVE/$SUB) and wait up to $WAIT_SECONDS s for it to be active"
fi

# systemd may be bringing it back itself (Restart=on-failure after an oom-kill): let it, rather than race it.
if [[ $ACTIVE == activating ]]; then
  if wait_active "$WAIT_SECONDS"; then
    after=$(token "$ACTIVE")/$(token "$SUB")
    n_restarts=$(token "$RESTARTS")
    verification=already-active
    finish 0 already-ok systemd-restarted "systemd brought $unit back itself (NRestarts=${RESTARTS:-?}); nothing to do"
  fi
fi

# `restart` blocks until the start job is done; systemd's own start timeout bounds it, timeout is a backstop.
if ! bounded 120 systemctl restart -- "$unit"; then
  read_state && after=$(token "$ACTIVE")/$(token "$SUB")
  finish 5 failed restart-failed "failed: systemctl restart $unit failed (now ${ACTIVE:-unknown}/${SUB:-unknown}, Result=${RESULT:-?})"
fi

if wait_active "$WAIT_SECONDS"; then
  # A service that dies right after starting is not recovered: look again after a moment.
  sleep "$SETTLE_SECONDS"
  if read_state && [[ $ACTIVE == active ]]; then
    after=$(token "$ACTIVE")/$(token "$SUB")
    n_restarts=$(token "$RESTARTS")
    verification=active-after-${SETTLE_SECONDS}s
    finish 0 'done' none "$unit restarted: $before -> $after"
  fi
fi
after=$(token "$ACTIVE")/$(token "$SUB")
n_restarts=$(token "$RESTARTS")
finish 6 failed not-active "failed: $unit is ${ACTIVE:-unknown}/${SUB:-unknown} after the restart (Result=${RESULT:-?})"
