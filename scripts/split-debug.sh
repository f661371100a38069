#!/bin/sh
# meson install script (meson.build, -Dsplit_debug): for each installed ELF file named as an
# argument (relative to the install prefix), the debug info moves to
# <prefix>/lib/debug/.build-id/NN/REST.debug (the layout gdb and debuginfod look up by build
# id; gdb -iex 'set debug-file-directory <prefix>/lib/debug' when the prefix is not /usr) and
# the installed file is stripped, with a .gnu_debuglink to the debug file. A static archive
# (.a) only loses its debug info.
# Usage: split-debug.sh OBJCOPY FILE...
set -eu
objcopy=$1
shift
prefix=${MESON_INSTALL_DESTDIR_PREFIX:?run by meson install}
for rel in "$@"; do
	f=$prefix/$rel
	[ -f "$f" ] || continue          # not built here (the shim without protoc, ...)
	case $rel in *.a)
		# an archive keeps its symbols (it is linked again), only the debug info goes
		"$objcopy" --strip-debug "$f"
		echo "split-debug: $rel: debug info stripped"
		continue ;;
	esac
	id=$(LC_ALL=C readelf -n "$f" 2>/dev/null | awk '/Build ID:/ {print $3; exit}')
	if [ -z "$id" ]; then
		echo "split-debug: $rel has no build id, left as is" >&2
		continue
	fi
	dir=$prefix/lib/debug/.build-id/$(printf %s "$id" | cut -c1-2)
	dbg=$dir/$(printf %s "$id" | cut -c3-).debug
	mkdir -p "$dir"
	"$objcopy" --only-keep-debug --compress-debug-sections "$f" "$dbg"
	chmod 0644 "$dbg"
	"$objcopy" --strip-unneeded --remove-section=.gnu_debuglink --add-gnu-debuglink="$dbg" "$f"
	echo "split-debug: $rel -> lib/debug/.build-id/$(printf %s "$id" | cut -c1-2)/$(basename "$dbg")"
done
