#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs: the hand-written seeds in
# fuzz/seeds/<target>/, the matching files of tests/fixtures and examples, and
# ../shared/corpus when it is there. The corpus folders are generated (and
# git-ignored); running this again only adds files. Files are named by the
# SHA-1 of their content, so duplicates collapse. Seeds over 64 KiB are left
# out (they slow libFuzzer down without adding syntax).
set -euo pipefail
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$fuzz_dir")
roots=("$repo/tests/fixtures" "$repo/examples")
[ -d "$repo/../shared/corpus" ] && roots+=("$(cd "$repo/../shared/corpus" && pwd)")

# add TARGET FILE...: copies each regular file of at most 64 KiB.
add() {
    local target=$1 f sum
    shift
    mkdir -p "$fuzz_dir/corpus/$target"
    for f in "$@"; do
        [ -f "$f" ] && [ "$(stat -c %s "$f")" -le 65536 ] || continue
        sum=$(sha1sum "$f" | cut -c1-40)
        cp "$f" "$fuzz_dir/corpus/$target/$sum"
    done
}
# files FIND-ARGS...: the files under every root matching FIND-ARGS, one a line.
files() { find "${roots[@]}" -type f \( "$@" \) -print; }
# having REGEX FIND-ARGS...: those of them whose text matches REGEX.
having() {
    local re=$1
    shift
    files "$@" | while IFS= read -r f; do grep -qiE "$re" "$f" && echo "$f"; done
}

mapfile -t mysql < <(files -name '*.cnf' -o -path '*/mysql/*' -o -path '*mysql-dumps*' -o -path '*/suppress/mycnf/*')
mapfile -t mysql_dumps < <(having 'Variable_name|Variables \(--variable-name=value\)|^[a-z_]+[[:space:]]+[0-9]+$' -path '*/mysql/*' -o -path '*mysql-dumps*' -o -name '*.txt' -o -name '*.tsv')
mapfile -t sysctl < <(files -path '*sysctl*')
mapfile -t pgconf < <(files -path '*/postgres/*' -o -name 'postgresql*.conf' -o -name '*.auto.conf' -o -path '*/suppress/postgresql/*')
mapfile -t pg_dumps < <(having 'pg_settings|^ *name *\| *setting|^"?name"?,"?setting' -path '*/postgres/*' -o -name '*.csv' -o -name '*.txt' -o -name '*.tsv')
mapfile -t pgbouncer < <(files -path '*pgbouncer*' -o -name '*.ini')
mapfile -t haproxy < <(files -path '*haproxy*' -o -name '*.cfg')
mapfile -t nginx < <(files -path '*nginx*')
mapfile -t yaml < <(files -name '*.yaml' -o -name '*.yml')
mapfile -t toml < <(files -name '*.toml')
mapfile -t python < <(files -name '*.py')
mapfile -t manifest < <(having '^\[\[path' -name '*.toml')
mapfile -t terraform < <(files -name '*.tf' -o -name '*.tfvars')
mapfile -t deploy_yaml < <(files -path '*compose*' -o -path '*kubernetes*' -o -path '*helm*' -o -path '*cloudformation*' -o -path '*aws_cli*' -o -name 'values*.yaml')

add mycnf "${mysql[@]}"
add mysql_dump "${mysql_dumps[@]}"
add sysctl "${sysctl[@]}"
add pgconf "${pgconf[@]}"
add pg_dump "${pg_dumps[@]}"
add pgbouncer "${pgbouncer[@]}"
add haproxy "${haproxy[@]}"
add nginx "${nginx[@]}"
add yaml "${yaml[@]}"
add toml "${toml[@]}"
add python "${python[@]}"
add manifest "${manifest[@]}"
add terraform "${terraform[@]}"
add deploy_yaml "${deploy_yaml[@]}"
for d in "$fuzz_dir"/seeds/*/; do
    [ -d "$d" ] && add "$(basename "$d")" "$d"*
done
for d in "$fuzz_dir"/corpus/*/; do
    echo "$(basename "$d"): $(find "$d" -type f | wc -l) seeds"
done
