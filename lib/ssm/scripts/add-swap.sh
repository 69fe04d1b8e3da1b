#!/bin/bash
# OOM Responder: add a swap file, only when it is safe to.
#
# Runs as the add-swap SSM Command document (aws:runShellScript); see docs/ssm-documents.md.
# Parameters arrive ONLY as environment variables (interpolationType ENV_VAR) and are validated again here:
#   SSM_sizeMiB              size of the swap file in MiB (64-65536)
#   SSM_path                 absolute path of the swap file
#   SSM_maxDiskSharePercent  largest share of the filesystem's free space the file may take (1-90)
#   SSM_dryRun               "true": report what would be done, change nothing
#   SSM_drill                "true" for an oom-responder drill: refuse, whatever else is asked (exit 11)
#
# Refuses (one line saying why, a distinct exit status) when: a parameter is invalid (2), another swap is
# active (3), the file would take more than its share of free disk (4), the host is a Kubernetes node (5),
# the filesystem cannot hold a swap file (6), the path is taken or its directory missing (7), not root (8),
# a drill (11: a drill never changes a host).
# A failed step exits 9 (the file it created is removed), a failed verification 10. Running it again once
# the swap is on does nothing and exits 0. The last line is machine-readable:
#   result=done|already-ok|dry-run|refused|failed reason=<code> path=<path> sizeMiB=<n> verification=<code>
#
# `set -u` but not `set -e`: every step's failure is checked explicitly, so each gets its own exit status
# and the clean-up that fits it.
set -u
export LC_ALL=C
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
umask 077

# Parameter patterns: the same strings as functions/core/ssm/parameter-specs.ts (a test compares them).
readonly PATTERN_sizeMiB='^(6[4-9]|[7-9][0-9]|[1-9][0-9]{2,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-6])$'
readonly PATTERN_path='^(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,62}){1,8}$'
readonly PATTERN_maxDiskSharePercent='^([1-9]|[1-8][0-9]|90)$'
readonly PATTERN_dryRun='^(true|false)$'
readonly PATTERN_drill='^(true|false)$'

# Overridable so tests can use files of their own; never SSM parameters.
readonly FSTAB=${OOM_RESPONDER_FSTAB:-/etc/fstab}
readonly KUBELET_CONFIG=${OOM_RESPONDER_KUBELET_CONFIG:-/var/lib/kubelet/config.yaml}

size_mib=${SSM_sizeMiB-}
path=${SSM_path-}
share=${SSM_maxDiskSharePercent-}
dry_run=${SSM_dryRun-}
drill=${SSM_drill-}
verification=none

# finish STATUS RESULT REASON MESSAGE: the human line, the machine-readable line, the exit status.
finish() {
  printf 'add-swap: %s\n' "$4"
  printf 'result=%s reason=%s path=%s sizeMiB=%s verification=%s\n' "$2" "$3" "${path:--}" "${size_mib:--}" \
    "$verification"
  exit "$1"
}

invalid() {
  # The value itself is not echoed: it may hold control characters meant for a terminal.
  path='' size_mib=''
  finish 2 refused invalid-parameter "refused: parameter $1 does not match its allowed pattern"
}
[[ $size_mib =~ $PATTERN_sizeMiB ]] || invalid sizeMiB
[[ $path =~ $PATTERN_path ]] || invalid path
[[ $share =~ $PATTERN_maxDiskSharePercent ]] || invalid maxDiskSharePercent
[[ $dry_run =~ $PATTERN_dryRun ]] || invalid dryRun
# Unset (the script run by hand, or by a document version before the parameter) is not a drill: the default.
[[ -z $drill ]] && drill=false
[[ $drill =~ $PATTERN_drill ]] || invalid drill
# Before anything is looked at, dry run or not: a drill's kill is synthetic and nothing on the host is changed.
[[ $drill == true ]] && finish 11 refused drill "refused: a drill never changes a host"
[[ $FSTAB =~ $PATTERN_path ]] || invalid OOM_RESPONDER_FSTAB

# The active swap areas' paths, one a line: `swapon --show` (util-linux 2.26+), else /proc/swaps.
active_swaps() {
  if ! swapon --show=NAME --noheadings --raw 2>/dev/null; then
    tail -n +2 /proc/swaps 2>/dev/null | while read -r name _; do printf '%s\n' "$name"; done
  fi
}

is_active() {
  local name
  while IFS= read -r name; do [[ $name == "$path" ]] && return 0; done < <(active_swaps)
  return 1
}

has_fstab_entry() {
  [[ -f $FSTAB ]] && awk -v p="$path" '$1 == p && $3 == "swap" { found = 1 } END { exit !found }' "$FSTAB"
}

# Exactly one fstab line for the file, so it survives a reboot; never a second one.
ensure_fstab_entry() {
  has_fstab_entry && return 0
  # A last line without its newline would be joined to ours.
  if [[ -s $FSTAB && $(tail -c 1 "$FSTAB") != '' ]]; then printf '\n' >>"$FSTAB" || return 1; fi
  printf '%s none swap defaults 0 0\n' "$path" >>"$FSTAB"
}

kubelet_running() {
  local comm_file comm
  for comm_file in /proc/[0-9]*/comm; do
    read -r comm 2>/dev/null <"$comm_file" || continue
    [[ $comm == kubelet ]] && return 0
  done
  return 1
}

# A file with a swap signature ("SWAPSPACE2" in the last 10 bytes of its first page) can be reused.
has_swap_signature() {
  local page
  page=$(getconf PAGESIZE 2>/dev/null) || page=4096
  [[ $(dd if="$path" bs=1 skip=$((page - 10)) count=10 status=none 2>/dev/null) == SWAPSPACE2 ]]
}

# ---------------------------------------------------------------------------------------------------------
if is_active; then
  verification=swapon-show-lists-path
  if [[ $dry_run == true ]]; then
    has_fstab_entry && finish 0 dry-run already-active "dry run: $path is already active swap; nothing to do"
    finish 0 dry-run already-active "dry run: $path is already active swap; would add its line to $FSTAB"
  fi
  ensure_fstab_entry || finish 9 failed fstab-failed "failed: could not add $path to $FSTAB"
  finish 0 already-ok already-active "$path is already active swap; nothing to do"
fi

other=$(active_swaps | head -n 1)
[[ -z $other ]] || finish 3 refused swap-active "refused: swap is already active ($other); not adding more"

# A kubelet runs, or is set up here (kubeadm's config, EKS's /etc/kubernetes/kubelet, the kubelet's pod dir): the
# kubelet itself may be the process the OOM killer just took.
if [[ -e $KUBELET_CONFIG || -d /var/lib/kubelet/pods || -d /etc/kubernetes/kubelet ]] || kubelet_running; then
  finish 5 refused kubernetes-node "refused: this is a Kubernetes node (kubelet); the kubelet expects no swap"
fi

[[ $(id -u) == 0 || $dry_run == true ]] || finish 8 refused not-root "refused: must run as root"

parent=${path%/*}
parent=${parent:-/}
[[ -d $parent && ! -L $parent ]] || finish 7 refused parent-missing "refused: directory $parent does not exist"

# Swap files need a filesystem whose blocks the kernel can write directly: ext2/3/4 and XFS. Not tmpfs or
# ramfs (swapping to RAM), overlayfs (no swapfile support), NFS/CIFS/FUSE (network or userspace), and not
# btrfs or ZFS (need nocow files, no compression or snapshots: too many conditions to check safely here).
fs_type=$(stat -f -c %T "$parent" 2>/dev/null)
case $fs_type in
  ext2/ext3 | ext4 | xfs) ;;
  *) finish 6 refused unsupported-filesystem "refused: $parent is on ${fs_type:-an unknown filesystem}; swap files need ext4 or XFS" ;;
esac

reuse=false
if [[ -e $path || -L $path ]]; then
  # Left by an earlier run that did not finish (or swapped off since): reuse it if it is exactly what was asked.
  if [[ -f $path && ! -L $path && $(stat -c %s -- "$path" 2>/dev/null) == $((size_mib * 1048576)) ]] &&
    has_swap_signature; then
    reuse=true
  else
    finish 7 refused path-exists "refused: $path already exists and is not a $size_mib MiB swap file; not touching it"
  fi
fi

if [[ $reuse == false ]]; then
  available_kb=$(df -Pk -- "$parent" 2>/dev/null | awk 'NR == 2 { print $4 }')
  [[ $available_kb =~ ^[0-9]+$ ]] || finish 4 refused disk-headroom "refused: cannot tell the free space on $parent"
  allowed_kb=$((available_kb * share / 100))
  if ((size_mib * 1024 > allowed_kb)); then
    finish 4 refused disk-headroom "refused: $size_mib MiB is more than $share% of the $((available_kb / 1024)) MiB free on $parent"
  fi
fi

if [[ $dry_run == true ]]; then
  if [[ $reuse == true ]]; then
    printf 'add-swap: would reuse the existing swap file %s\n' "$path"
  else
    printf 'add-swap: would run: dd if=/dev/zero of=%s bs=1M count=%s; chmod 600 %s; mkswap %s\n' \
      "$path" "$size_mib" "$path" "$path"
  fi
  printf 'add-swap: would run: swapon %s; then add "%s none swap defaults 0 0" to %s (unless there)\n' \
    "$path" "$path" "$FSTAB"
  finish 0 dry-run none "dry run: all checks passed; nothing was changed"
fi

# ---------------------------------------------------------------------------------------------------------
created=false
# A step failed after this run created the file: take it away again (never a file we did not create).
fail() {
  [[ $created == true ]] && swapoff -- "$path" 2>/dev/null
  [[ $created == true ]] && rm -f -- "$path"
  finish 9 failed "$1" "failed: $2"
}

if [[ $reuse == false ]]; then
  # Written block by block, never fallocate: a swap file must have no holes or unwritten extents. O_DIRECT
  # keeps 2 GiB of zeros out of the page cache of a host short of memory; conv=excl refuses to overwrite.
  created=true
  if ! dd if=/dev/zero of="$path" bs=1M count="$size_mib" oflag=direct conv=excl status=none 2>/dev/null; then
    rm -f -- "$path"
    dd if=/dev/zero of="$path" bs=1M count="$size_mib" conv=excl,fsync status=none ||
      fail dd-failed "could not write $size_mib MiB to $path"
  fi
  chmod 600 -- "$path" || fail chmod-failed "could not chmod 600 $path"
  mkswap -- "$path" || fail mkswap-failed "mkswap $path failed"
else
  printf 'add-swap: reusing the existing %s MiB swap file %s\n' "$size_mib" "$path"
fi
chmod 600 -- "$path" || fail chmod-failed "could not chmod 600 $path"
swapon -- "$path" || fail swapon-failed "swapon $path failed (the kernel or this environment refused it)"
ensure_fstab_entry || fail fstab-failed "could not add $path to $FSTAB"

is_active || finish 10 failed verification-failed "failed: swapon --show does not list $path after swapon"
verification=swapon-show-lists-path
swapon --show 2>/dev/null
finish 0 'done' none "$path ($size_mib MiB) is active swap and in $FSTAB"
