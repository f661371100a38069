#!/usr/bin/env bats
# Images without a daemon: load (docker save tar, OCI layout dir and tar), images, rmi, and run
# IMAGE on an overlay of the layers. The images are built here, offline (make-image.py).

load helpers

MKIMG="$BATS_TEST_DIRNAME/make-image.py"

# make_image FORMAT NAME OUT [--corrupt]
make_image() {
	"$PYTHON" "$MKIMG" "$ROOTFS" "$3" "$1" "$2" "${@:4}" || fail "make-image.py $*"
}

@test "images: load a docker save tar, run it with its config, layers and whiteouts" {
	make_image docker localhost/bb:latest "$TESTDIR/bb.tar"
	run mgr load -i "$TESTDIR/bb.tar"
	assert_status 0
	assert_output "Loaded image: localhost/bb:latest"
	run mgr images
	assert_status 0
	assert_contains "$output" "localhost/bb "
	assert_contains "$output" "latest"
	# Entrypoint + Cmd, Env, WorkingDir, User (a name from the image's own /etc/passwd)
	run mgr_run --rm localhost/bb
	assert_status 0
	assert_output "hi from /data as 1234:4321"
	# a command replaces Cmd, the Entrypoint stays; the whiteout and the opaque dir hold
	run mgr_run --rm -u 0 localhost/bb 'ls /data; cat /etc/hello; test -e /etc/removeme || echo removed; id -u'
	assert_status 0
	assert_output "$(printf 'b\nhello from layer 2\nremoved\n0')"
	# a container's writes stay in its own upper dir
	mgr_run --rm -u 0 localhost/bb 'echo x >/etc/hello; rm /bin/ls' || fail "write run failed"
	run mgr_run --rm localhost/bb:latest 'cat /etc/hello; test -e /bin/ls && echo ls-there'
	assert_output "$(printf 'hello from layer 2\nls-there')"
	# --entrypoint, -e over the image's Env, a detached one listed with its image
	run mgr_run --rm --entrypoint /bin/echo -e GREETING=yo localhost/bb '$GREETING'
	assert_output '$GREETING'
	mgr_bg --name mgr-img localhost/bb 'sleep 100'
	[[ $(findmnt -n -o FSTYPE "$MROOT/$CID/rootfs") == overlay ]] || fail "rootfs is not an overlay"
	run mgr rmi localhost/bb
	assert_status 1
	assert_contains "$output" "image is being used by container ${CID:0:12}"
	mgr rm -f mgr-img
	! findmnt "$MROOT/$CID/rootfs" >/dev/null || fail "rootfs still mounted after rm"
	run mgr rmi localhost/bb
	assert_status 0
	assert_contains "$output" "Untagged: localhost/bb:latest"
	assert_contains "$output" "Deleted: sha256:"
	assert_eq "$(ls -A "$MROOT/images/layers")" "" "layers left after rmi"
}

@test "images: an OCI layout (dir and tar, gzip layer) shares layers; rmi untags, then deletes" {
	make_image oci localhost/bb-oci:1.0 "$TESTDIR/oci"
	run mgr load -i "$TESTDIR/oci"
	assert_status 0
	assert_output "Loaded image: localhost/bb-oci:1.0"
	run mgr_run --rm localhost/bb-oci:1.0 'cat /data/b'
	assert_output "from layer 2"
	# the same layers as an OCI tar under another name: unpacked once
	(cd "$TESTDIR/oci" && tar -cf "$TESTDIR/oci.tar" .)
	local before
	before=$(ls "$MROOT/images/layers" | wc -l)
	sed -i 's#localhost/bb-oci:1.0#localhost/other:2#' "$TESTDIR/oci/index.json"
	(cd "$TESTDIR/oci" && tar -cf "$TESTDIR/oci2.tar" .)
	run mgr load -i "$TESTDIR/oci2.tar"
	assert_output "Loaded image: localhost/other:2"
	assert_eq "$(ls "$MROOT/images/layers" | wc -l)" "$before" "layer dirs"
	run mgr images -q
	assert_eq "$(sort -u <<<"$output" | wc -l)" 1 "one image id"
	run mgr rmi localhost/other:2
	assert_output "Untagged: localhost/other:2"
	local id
	id=$(mgr images -q)
	run mgr_run --rm "$id" 'echo by-id'
	assert_output by-id
	run mgr rmi "$id"
	assert_status 0
	assert_eq "$(mgr images -q)" "" "images left"
	assert_eq "$(ls -A "$MROOT/images/tmp")" "" "tmp left"
}

@test "images: bad input is refused with 125 and leaves nothing behind" {
	make_image docker localhost/bad:1 "$TESTDIR/bad.tar" --corrupt
	run mgr load -i "$TESTDIR/bad.tar"
	assert_status 125
	assert_contains "$output" "does not match the config's diff_id"
	assert_eq "$(ls -A "$MROOT/images/layers")" "" "layers left by a failed load"
	assert_eq "$(ls -A "$MROOT/images/tmp")" "" "tmp left by a failed load"
	assert_eq "$(mgr images -q)" "" "image recorded"
	# a blob whose content does not match its digest
	make_image oci localhost/bb-oci:1.0 "$TESTDIR/oci"
	local b
	b=$(ls "$TESTDIR/oci/blobs/sha256" | head -1)
	echo garbage >>"$TESTDIR/oci/blobs/sha256/$b"
	run mgr load -i "$TESTDIR/oci"
	assert_status 125
	assert_contains "$output" "does not match its content"
	# not an image at all; a missing path; an unknown image; a bad user
	run mgr load -i "$ROOTFS"
	assert_status 125
	assert_contains "$output" "not a docker save archive or an OCI image layout"
	run mgr load -i "$TESTDIR/nothere.tar"
	assert_status 125
	run mgr_run --rm localhost/nothere
	assert_status 125
	assert_contains "$output" "no such bundle, rootfs directory or image: localhost/nothere"
	make_image docker localhost/bb:latest "$TESTDIR/bb.tar"
	mgr load -q -i "$TESTDIR/bb.tar"
	run mgr_run --rm -u nosuchuser localhost/bb true
	assert_status 125
	assert_contains "$output" "unable to find user nosuchuser"
	run mgr_run --rm -u 4294967295 localhost/bb true
	assert_status 125
	assert_eq "$(mgr ps -aq)" "" "containers left"
	assert_eq "$(find "$MROOT" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*' | wc -l)" 0 "container dirs left"
	mgr rmi -f localhost/bb >/dev/null
}

@test "images: a layer cannot write outside its directory" {
	# ../ entries and a symlink followed by a path through it
	"$PYTHON" - "$TESTDIR" <<'PY' || fail "building the evil image"
import hashlib, io, json, sys, tarfile
d = sys.argv[1]
def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, kind, data in entries:
            ti = tarfile.TarInfo(name)
            if kind == "sym":
                ti.type, ti.linkname = tarfile.SYMTYPE, data
                tf.addfile(ti)
            else:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()
for n, entries in [("dotdot", [("../../../../../../tmp/mgr-escape-" + d.rsplit(".", 1)[-1], "file", b"x")]),
                   ("symlink", [("esc", "sym", d), ("esc/mgr-escaped", "file", b"x")])]:
    l = layer(entries)
    cfg = json.dumps({"os": "linux", "config": {"Cmd": ["true"]},
                      "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(l).hexdigest()]}}).encode()
    with tarfile.open(f"{d}/{n}.tar", "w") as tf:
        for name, data in [("c.json", cfg), ("l.tar", l),
                           ("manifest.json", json.dumps([{"Config": "c.json", "RepoTags": [n], "Layers": ["l.tar"]}]).encode())]:
            ti = tarfile.TarInfo(name); ti.size = len(data); tf.addfile(ti, io.BytesIO(data))
PY
	run mgr load -i "$TESTDIR/dotdot.tar"
	assert_status 125
	assert_eq "$(ls -A "$MROOT/images/layers")" "" "layers left"
	# libarchive replaces the symlink by the directory the next entry needs: loaded, but inside
	run mgr load -i "$TESTDIR/symlink.tar"
	[[ ! -e /tmp/mgr-escape-${TESTDIR##*.} && ! -e $TESTDIR/mgr-escaped ]] || fail "a layer wrote outside its directory"
	if ((status == 0)); then
		[[ -e $MROOT/images/layers/$(ls "$MROOT/images/layers" | grep -v size)/esc/mgr-escaped ]] || fail "entry not inside the layer"
		mgr rmi symlink >/dev/null
	fi
}

@test "images --format: a template per tag, table with docker's headers" {
	make_image docker localhost/fmt:v1 "$TESTDIR/fmt.tar"
	mgr load -q -i "$TESTDIR/fmt.tar" >/dev/null || fail "load failed"
	local id
	id=$(mgr images -q | head -1)
	run mgr images --format '{{.Repository}}|{{.Tag}}|{{.ID}}'
	assert_status 0
	assert_output "localhost/fmt|v1|$id"
	run mgr images --format 'table {{.Repository}}\t{{.Tag}}'
	assert_eq "${lines[0]}" "REPOSITORY      TAG" "header"
	assert_eq "${lines[1]}" "localhost/fmt   v1" "row"
	run mgr images --format '{{.Nope}}'
	assert_status 1
	run mgr images --format '{{'
	assert_status 125
	assert_contains "$output" "template parsing error"
}
