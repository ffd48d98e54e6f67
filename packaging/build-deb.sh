#!/bin/sh
# packaging/build-deb.sh BINARY OUTDIR VERSION: closeup as a Debian package, the way
# redis-tools arrives: the binary, the man page, the three completions where
# Debian's shells read them, README and copyright, and dependencies on the
# hiredis, SQLite and OpenSSL runtime packages computed from the binary
# (dpkg-shlibdeps). Prints the path of the .deb.
set -eu
bin=$1 out=$2 version=$3
here=$(cd "$(dirname "$0")/.." && pwd)
arch=$(dpkg --print-architecture)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/closeup
doc=$root/usr/share/doc/closeup

install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" "$doc" \
  "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
  "$root/usr/share/fish/vendor_completions.d"
install -m 0755 "$bin" "$root/usr/bin/closeup"
# As dh_strip does: no symbols, no build notes.
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/closeup"
gzip -9n < "$here/man/closeup.1" > "$root/usr/share/man/man1/closeup.1.gz"
install -m 0644 "$here/completions/closeup.bash" "$root/usr/share/bash-completion/completions/closeup"
install -m 0644 "$here/completions/_closeup" "$root/usr/share/zsh/vendor-completions/_closeup"
install -m 0644 "$here/completions/closeup.fish" "$root/usr/share/fish/vendor_completions.d/closeup.fish"
gzip -9n < "$here/README.md" > "$doc/README.md.gz"
install -m 0644 "$here/packaging/copyright" "$doc/copyright"
# The last commit's time for every date in the package (dpkg-deb clamps file times to it), so
# the same commit always makes the same package.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH
date=$(date -R -d "@$SOURCE_DATE_EPOCH")
printf 'closeup (%s) unstable; urgency=medium\n\n  * Built from the closeup repository.\n\n -- closeup developers <closeup@example.org>  %s\n' \
  "$version" "$date" | gzip -9n > "$doc/changelog.gz"
chmod 0644 "$doc"/*

# dpkg-shlibdeps reads the package name from a debian/control beside the tree.
mkdir "$work/debian"
printf 'Source: closeup\n\nPackage: closeup\nArchitecture: any\n' > "$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O -e closeup/usr/bin/closeup 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies for $bin" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: closeup
Version: $version
Architecture: $arch
Maintainer: closeup developers <closeup@example.org>
Installed-Size: $size
Depends: $depends
Recommends: bash-completion
Section: database
Priority: optional
Homepage: https://example.org/closeup
Description: operations tool for a Redis-backed OTP login system
 closeup inspects and repairs the one-time codes, failed-attempt counters,
 rate limits and caches a mobile backend keeps in Redis, with an SQLite
 database as durable backup and fallback: why a user cannot log in, who is
 blocked, bulk clean-ups with stable exit codes and JSON for scripts. It works
 against a local Redis, a TLS endpoint and a Redis Cluster, or SQLite alone.
CONTROL
(cd "$root" && find usr -type f | sort | xargs md5sum > DEBIAN/md5sums)
mkdir -p "$out"
deb=$out/closeup_${version}_$arch.deb
dpkg-deb --build --root-owner-group -Zxz "$root" "$deb" >/dev/null
echo "$deb"
