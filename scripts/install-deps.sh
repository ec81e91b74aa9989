#!/bin/sh
# install-deps.sh - install the Debian 12 packages lockstep needs.
#
# Idempotent: packages already installed are left alone, and nothing runs
# when all are present.  Run as root (or via sudo); as another user with
# packages missing it prints the exact command to run and exits 1.
#
#   scripts/install-deps.sh          install what is missing
#   scripts/install-deps.sh --check  only report; exit 1 if anything is missing
set -eu

PACKAGES="build-essential clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
libncurses-dev systemtap-sdt-dev golang-go golang-1.19-src tmux bpftrace
binutils python3 libclang-rt-14-dev util-linux valgrind"

case "${1:-}" in
-h|--help)
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
	exit 0 ;;
--check) check_only=1 ;;
"") check_only=0 ;;
*) echo "install-deps.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all $(echo $PACKAGES | wc -w) packages present"
	exit 0
fi

if [ "$check_only" = 1 ]; then
	echo "install-deps: missing:$missing"
	exit 1
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages; run: sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing
echo "install-deps: done"
