#!/usr/bin/env bash
# Builds the timeoutlint wheel the way a release does, installs it in a fresh
# venv and checks it:
#   1. `maturin build --release --zig --compatibility manylinux2014` (zig links
#      against glibc 2.17 symbols, so the wheel runs on glibc >= 2.17; a plain
#      `maturin build` would be tagged for this machine's glibc, 2.34+);
#   2. the highest GLIBC_x.y symbol version the binary needs, read from its ELF
#      version-needs table (packaging/glibc_floor.py): must be <= 2.17;
#   3. `pip install` of the wheel alone (no index) in a new venv;
#   4. `timeoutlint --version` prints Cargo.toml's version, and a check of
#      examples/founding-incident-broken fails with TL103 while its fixed twin
#      passes;
#   5. the pre-commit mirror hook (packaging/pre-commit-mirror) installs that
#      wheel and runs, with real pre-commit (when pre-commit is on PATH).
#
# Usage: packaging/test-wheel.sh [WHEEL]
#   WHEEL given: skip step 1 and test that file.
#   WHEEL_TARGET=aarch64-unknown-linux-gnu: cross-build for that target with
#   zig (`rustup target add` it first); steps 3-5 need to run the binary, so
#   for another architecture they are skipped (and said) unless the wheel's
#   binary runs here (an emulator registered with binfmt_misc).
# Tools: maturin and ziglang (PyPI), pinned below, are installed into a venv
# at target/wheel-tools when they are not on PATH. Where they cannot be had
# (no network), the script says so and exits 0; WHEEL_REQUIRE=1 makes that a
# failure instead. It takes a full release build: ~7 min on 2 busy cores.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

MATURIN_VERSION=1.16.0
ZIGLANG_VERSION=0.17.1
GLIBC_FLOOR=2.17

say() { echo "test-wheel: $*" >&2; }
skip() {
    say "skipped: $*"
    if [[ ${WHEEL_REQUIRE-} == 1 ]]; then
        say "WHEEL_REQUIRE=1: a skipped wheel test fails"
        exit 1
    fi
    exit 0
}
fail() {
    say "FAILED: $*"
    exit 1
}

command -v python3 >/dev/null || skip "python3 is not on PATH"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[[ -n $version ]] || fail "no version in Cargo.toml"

work=$(mktemp -d "${TMPDIR:-/tmp}/tl-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ $# -ge 1 ]]; then
    wheel=$1
    [[ -f $wheel ]] || fail "$wheel is not a file"
else
    tools=$root/target/wheel-tools
    if ! { command -v maturin >/dev/null && python3 -c 'import ziglang' 2>/dev/null; }; then
        if [[ ! -x $tools/bin/maturin ]] || ! "$tools/bin/python" -c 'import ziglang' 2>/dev/null; then
            say "installing maturin==$MATURIN_VERSION ziglang==$ZIGLANG_VERSION into $tools"
            python3 -m venv "$tools" || skip "cannot create a venv (python3 -m venv)"
            "$tools/bin/python" -m pip install --quiet --disable-pip-version-check \
                "maturin==$MATURIN_VERSION" "ziglang==$ZIGLANG_VERSION" \
                || skip "could not install maturin and ziglang from PyPI"
        fi
        # maturin finds zig as `python -m ziglang` through the python on PATH.
        export PATH="$tools/bin:$PATH"
    fi
    command -v cargo >/dev/null || skip "cargo is not on PATH"
    say "$(maturin --version), zig $(python3 -m ziglang version)"
    start=$(date +%s)
    # Its own target folder: the release build with zig's linker must not
    # invalidate target/debug or target/release.
    target_args=()
    if [[ -n ${WHEEL_TARGET-} ]]; then
        rustup target list --installed 2>/dev/null | grep -qx "$WHEEL_TARGET" \
            || skip "the Rust target $WHEEL_TARGET is not installed (rustup target add $WHEEL_TARGET)"
        target_args=(--target "$WHEEL_TARGET")
    fi
    CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/wheel} \
        maturin build --release --zig --compatibility manylinux2014 "${target_args[@]}" --out "$work/dist" >&2
    say "wheel built in $(($(date +%s) - start)) s"
    wheel=$(ls "$work"/dist/timeoutlint-"$version"-*.whl)
fi

name=$(basename "$wheel")
say "wheel: $name ($(wc -c <"$wheel") bytes)"
case $name in
*manylinux2014_x86_64* | *manylinux_2_17_x86_64* | *manylinux2014_aarch64* | *manylinux_2_17_aarch64*) ;;
*) fail "$name is not tagged manylinux2014 / manylinux_2_17" ;;
esac

# The binary inside the wheel (a zip): timeoutlint-V.data/scripts/timeoutlint.
python3 - "$wheel" "$work/timeoutlint" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = [n for n in z.namelist() if n.endswith(".data/scripts/timeoutlint")]
    if len(names) != 1:
        sys.exit(f"expected one .data/scripts/timeoutlint in the wheel, found {names}")
    with open(sys.argv[2], "wb") as out:
        out.write(z.read(names[0]))
EOF
floor=$(python3 packaging/glibc_floor.py "$work/timeoutlint") || fail "cannot read the binary's ELF version needs"
say "highest glibc symbol version required: GLIBC_$floor (limit GLIBC_$GLIBC_FLOOR)"
python3 - "$floor" "$GLIBC_FLOOR" <<'EOF' || fail "the binary needs GLIBC_$floor, newer than GLIBC_$GLIBC_FLOOR"
import sys
v = lambda s: tuple(int(p) for p in s.split("."))
sys.exit(0 if v(sys.argv[1]) <= v(sys.argv[2]) else 1)
EOF

if ! "$work/timeoutlint" --version >/dev/null 2>&1; then
    chmod +x "$work/timeoutlint"
    if ! "$work/timeoutlint" --version >/dev/null 2>&1; then
        say "skipped install and run: the binary of $name does not run on this $(uname -m) machine"
        say "ok (built, tagged and glibc-checked only): $name"
        exit 0
    fi
fi

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel" \
    || fail "pip could not install $name"
bin=$work/venv/bin/timeoutlint
[[ -x $bin ]] || fail "the venv has no bin/timeoutlint"

got=$("$bin" --version)
[[ $got == "timeoutlint $version" ]] || fail "--version printed '$got', expected 'timeoutlint $version'"
say "$got"

set +e
out=$("$bin" check --format gcc --color never examples/founding-incident-broken 2>&1)
code=$?
set -e
[[ $code == 1 ]] || fail "check of founding-incident-broken exited $code, expected 1: $out"
[[ $out == *"[TL103]"* ]] || fail "no TL103 in the check of founding-incident-broken: $out"
"$bin" check --color never examples/founding-incident-fixed >/dev/null \
    || fail "check of founding-incident-fixed failed"
say "check: founding-incident-broken fails with TL103, founding-incident-fixed passes"

# 5. The pre-commit mirror (packaging/pre-commit-mirror) installing this wheel,
#    with real pre-commit: tests/pre_commit.rs, mirror_hook_installs_the_wheel.
if command -v pre-commit >/dev/null; then
    mkdir -p "$work/wheels"
    cp "$wheel" "$work/wheels/"
    TIMEOUTLINT_WHEEL_DIR=$work/wheels cargo test --quiet --test pre_commit mirror_hook_installs_the_wheel -- --nocapture >&2 \
        || fail "the pre-commit mirror hook did not install and run the wheel"
else
    say "skipped the pre-commit mirror test: pre-commit is not on PATH"
fi
say "ok: $name"
