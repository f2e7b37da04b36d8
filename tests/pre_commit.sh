#!/usr/bin/env bash
# Builds the scenario of tests/pre_commit.rs: a throw-away git repository
# holding one connection path (SQLAlchemy pool_recycle = 3600 s against MySQL
# wait_timeout = 600 s: one TL101 error) and a .pre-commit-config.yaml that
# runs timeoutlint on it. The Rust test runs `pre-commit run --all-files` and
# checks the result; the same steps by hand:
#
#   tests/pre_commit.sh setup /tmp/w local target/debug/timeoutlint
#   (cd /tmp/w/project && pre-commit run --all-files)    # fails: TL101
#   tests/pre_commit.sh fix /tmp/w
#   (cd /tmp/w/project && pre-commit run --all-files)    # passes
#
# Usage:
#   pre_commit.sh setup WORK local BINARY
#       WORK/project with a `repo: local` hook: `entry: BINARY check --format
#       gcc`, `language: system`, `pass_filenames: false`.
#   pre_commit.sh setup WORK rust CHECKOUT
#       WORK/hook-repo: a git repository holding a copy of the working tree of
#       CHECKOUT (without target/ and .git), committed; WORK/project uses it
#       as `repo: WORK/hook-repo`, `rev: <that commit>`, `id: timeoutlint`,
#       so the hook comes from CHECKOUT's .pre-commit-hooks.yaml with
#       `language: rust` (pre-commit then runs `cargo install --path .`).
#   pre_commit.sh setup WORK python CHECKOUT
#       As `rust`, with `id: timeoutlint-python` (`language: python`:
#       pre-commit runs `pip install .`, which builds with maturin).
#   pre_commit.sh setup WORK mirror MIRROR
#       As `rust`, with the hook repository a copy of MIRROR
#       (packaging/pre-commit-mirror: `language: python`, a package that only
#       depends on the timeoutlint wheel).
#   pre_commit.sh fix WORK
#       Raises wait_timeout to 28800 s in WORK/project and stages it.
set -euo pipefail

# The scenario must not touch whatever repository the caller is in.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_COMMON_DIR

git_() {
    git -c user.name=timeoutlint-test -c user.email=test@timeoutlint.invalid \
        -c commit.gpgsign=false -c init.defaultBranch=main -c core.autocrlf=false "$@"
}

die() {
    echo "pre_commit.sh: $*" >&2
    exit 2
}

write_project() {
    local project=$1
    mkdir -p "$project/app" "$project/db"
    cat >"$project/timeoutlint.toml" <<'EOF'
[[path]]
name = "api -> orders-db"
app = "app/settings.yaml"
db = "db/my.cnf"
EOF
    cat >"$project/app/settings.yaml" <<'EOF'
sqlalchemy:
  url: mysql+pymysql://api@orders-db.internal:3306/orders
  pool_recycle: 3600
EOF
    printf '[mysqld]\nwait_timeout = 600\n' >"$project/db/my.cnf"
}

commit_all() {
    local repo=$1 message=$2
    git_ -C "$repo" add -A
    git_ -C "$repo" commit -q -m "$message"
}

setup() {
    local work=$1 mode=$2 arg=$3
    local project=$work/project
    [[ ! -e $project ]] || die "$project exists"
    mkdir -p "$project"
    git_ init -q "$project"
    write_project "$project"
    case $mode in
    local)
        [[ -x $arg ]] || die "$arg is not an executable"
        # pre-commit splits `entry` like a shell; keep the path one word.
        [[ $arg != *[[:space:]\"\'\\]* ]] || die "binary path needs quoting: $arg"
        cat >"$project/.pre-commit-config.yaml" <<EOF
repos:
  - repo: local
    hooks:
      - id: timeoutlint
        name: timeoutlint
        entry: "$arg check --format gcc"
        language: system
        pass_filenames: false
        always_run: true
        require_serial: true
EOF
        ;;
    rust | python | mirror)
        local id=timeoutlint
        if [[ $mode == python ]]; then
            id=timeoutlint-python
        fi
        [[ -f $arg/.pre-commit-hooks.yaml ]] || die "$arg has no .pre-commit-hooks.yaml"
        local hooks=$work/hook-repo
        mkdir -p "$hooks"
        tar -C "$arg" --exclude=./target --exclude=./.git -cf - . | tar -C "$hooks" -xf -
        git_ init -q "$hooks"
        commit_all "$hooks" "timeoutlint working tree"
        local rev
        rev=$(git_ -C "$hooks" rev-parse HEAD)
        cat >"$project/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: $id
EOF
        ;;
    *) die "unknown mode $mode (local, rust, python or mirror)" ;;
    esac
    commit_all "$project" "one connection path, pool_recycle above wait_timeout"
}

fix() {
    local project=$1/project
    [[ -d $project ]] || die "$project does not exist; run setup first"
    printf '[mysqld]\nwait_timeout = 28800\n' >"$project/db/my.cnf"
    git_ -C "$project" add db/my.cnf
}

case ${1-} in
setup)
    [[ $# -eq 4 ]] || die "usage: $0 setup WORK local BINARY | $0 setup WORK rust|python CHECKOUT | $0 setup WORK mirror MIRROR"
    setup "$2" "$3" "$4"
    ;;
fix)
    [[ $# -eq 2 ]] || die "usage: $0 fix WORK"
    fix "$2"
    ;;
*) die "usage: $0 setup WORK local BINARY | $0 setup WORK rust|python CHECKOUT | $0 setup WORK mirror MIRROR | $0 fix WORK" ;;
esac
