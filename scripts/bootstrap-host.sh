#!/usr/bin/env bash
# Prepare a Debian host for cibuildwheel-like: container engines, QEMU binfmt, debootstrap.
#
# Idempotent: installs only what is missing, starts dockerd only when no daemon answers,
# registers only missing binfmt entries and writes podman's ulimits only when unset.
# Needs root on Debian; elsewhere it prints what is missing and how to get it.
#
# Environment:
#   CIBWL_BINFMT_ARCHS   space-separated QEMU arch names to register (default: aarch64 ppc64le s390x)
#   CIBWL_DOCKERD_LOG    dockerd's log file (default: /var/log/cibuildwheel-like-dockerd.log)
#   CIBWL_DOCKERD_WAIT   seconds to wait for `docker info` (default: 60)
set -euo pipefail

BINFMT_ARCHS="${CIBWL_BINFMT_ARCHS:-aarch64 ppc64le s390x}"
DOCKERD_LOG="${CIBWL_DOCKERD_LOG:-/var/log/cibuildwheel-like-dockerd.log}"
DOCKERD_WAIT="${CIBWL_DOCKERD_WAIT:-60}"
PACKAGES=(docker.io podman qemu-user-static debootstrap)

say() { printf 'bootstrap-host: %s\n' "$*"; }
die() { printf 'bootstrap-host: error: %s\n' "$*" >&2; exit 1; }

# --- preconditions -----------------------------------------------------------------------------
if [[ "$(id -u)" != 0 ]]; then
    die "must run as root (it installs packages, starts dockerd and writes binfmt_misc).
  Fix: sudo $0
  Or do it by hand: apt-get install ${PACKAGES[*]}; start dockerd; register qemu binfmt entries
  (/usr/lib/binfmt.d/qemu-*.conf into /proc/sys/fs/binfmt_misc/register)."
fi
if [[ ! -r /etc/debian_version ]] || ! command -v apt-get >/dev/null 2>&1; then
    missing=()
    for tool in docker podman debootstrap; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    [[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || missing+=("qemu-user-static binfmt registrations")
    die "this script supports Debian (apt-get) only. Missing here: ${missing[*]:-nothing detected}.
  Install Docker (>= 20.10) or Podman (>= 3), debootstrap and qemu-user-static with your
  distribution's package manager, or in CI run: docker run --privileged --rm tonistiigi/binfmt --install all"
fi

# --- packages ----------------------------------------------------------------------------------
to_install=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        to_install+=("$pkg")
    fi
done
if ((${#to_install[@]})); then
    say "installing: ${to_install[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${to_install[@]}" >/dev/null
else
    say "packages present: ${PACKAGES[*]}"
fi

# --- dockerd -----------------------------------------------------------------------------------
if docker info >/dev/null 2>&1; then
    say "docker daemon answers"
else
    say "starting dockerd (log: $DOCKERD_LOG)"
    # containerd/dockerd need cgroups; Debian's packages bring containerd as a dependency.
    setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
    waited=0
    until docker info >/dev/null 2>&1; do
        if ((waited >= DOCKERD_WAIT)); then
            echo "----- last lines of $DOCKERD_LOG -----" >&2
            tail -n 30 "$DOCKERD_LOG" >&2 || true
            die "dockerd did not answer \`docker info\` within ${DOCKERD_WAIT}s (log: $DOCKERD_LOG)"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    say "dockerd answers after ${waited}s"
fi

# --- binfmt_misc + QEMU ------------------------------------------------------------------------
BINFMT=/proc/sys/fs/binfmt_misc
if [[ ! -e "$BINFMT/register" ]]; then
    say "mounting binfmt_misc"
    mount -t binfmt_misc binfmt_misc "$BINFMT" || die "cannot mount binfmt_misc on $BINFMT
  (in a container, run this on the host or start the container with --privileged)"
fi
if [[ -e "$BINFMT/status" ]] && [[ "$(cat "$BINFMT/status")" != enabled ]]; then
    echo 1 >"$BINFMT/status"
fi
for arch in $BINFMT_ARCHS; do
    name="qemu-$arch"
    conf="/usr/lib/binfmt.d/$name.conf"
    entry="$BINFMT/$name"
    if [[ -e "$entry" ]]; then
        if ! grep -q '^enabled' "$entry"; then
            echo 1 >"$entry"
            say "$name: re-enabled"
        fi
        if ! grep -q '^flags:.*F' "$entry"; then
            say "$name: registered without the F flag; re-registering from $conf"
            echo -1 >"$entry"
        else
            say "$name: registered"
            continue
        fi
    fi
    [[ -r "$conf" ]] || die "$conf not found; install qemu-user-static"
    # The file holds one registration line; the F flag makes the kernel open the interpreter
    # now, so it also works inside containers whose root has no qemu binary.
    line="$(grep -v '^#' "$conf" | head -n 1)"
    [[ "$line" == *:*F* ]] || line="${line}F"
    printf '%s' "$line" >"$BINFMT/register" || die "registering $name failed (line: $line)"
    say "$name: registered from $conf"
done

# --- podman ulimits ----------------------------------------------------------------------------
# Podman's default nofile/nproc exceed this host's hard limits and every container then fails
# with "error setting rlimit". Pin them below the hard limits in containers.conf (nproc above
# a few thousand was still refused by runc here, even below `ulimit -Hu`: 4096 is verified).
hard_nofile="$(ulimit -Hn)"
hard_nproc="$(ulimit -Hu)"
cap() { if [[ "$1" == unlimited ]] || (($1 > $2)); then echo "$2"; else echo "$1"; fi; }
nofile="$(cap "$hard_nofile" 65536)"
nproc="$(cap "$hard_nproc" 4096)"
CONF=/etc/containers/containers.conf
mkdir -p /etc/containers
if [[ -f "$CONF" ]] && grep -q '^[[:space:]]*default_ulimits' "$CONF"; then
    say "podman default_ulimits already set in $CONF"
else
    if [[ -f "$CONF" ]] && grep -q '^\[containers\]' "$CONF"; then
        sed -i "/^\[containers\]/a default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]" "$CONF"
    else
        printf '\n[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' \
            "$nofile" "$nofile" "$nproc" "$nproc" >>"$CONF"
    fi
    say "podman default_ulimits set in $CONF (nofile=$nofile nproc=$nproc)"
fi

say "done: $(docker version --format 'docker server {{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || echo 'docker ?'),"\
" $(podman --version 2>/dev/null || echo 'podman ?')"
