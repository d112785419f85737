#!/usr/bin/env bash
# Supply-chain check: `cargo deny --offline check` (advisories, licenses, bans, sources) with
# the configuration in deny.toml, against the RustSec advisory snapshot in ../shared/data/.
#
# The advisory database's git host cannot be reached here, so this lays the snapshot out as
# the git checkout cargo deny expects, `<db-path>/advisory-db-3157b0e258782691` (the name it
# derives from the default database URL), under target/ so nothing of it is committed. The
# checkout is dated with the snapshot's own date so that its age is honest. Idempotent: the
# checkout is rebuilt only when the snapshot changes. Installs cargo-deny when it is missing.
#
#   bash scripts/deny.sh              # all four checks
#   bash scripts/deny.sh advisories   # or some of them
set -euo pipefail
cd "$(dirname "$0")/.."

SNAPSHOT=../shared/data/rustsec-advisory-db
SNAPSHOT_DATE=2026-08-21T00:00:00Z # commit bf5c0d2 of the RustSec advisory-db (../shared/README.md)
DB_ROOT=target/advisory-dbs        # `db-path` in deny.toml
DB="$DB_ROOT/advisory-db-3157b0e258782691"
CARGO_DENY_VERSION=0.20.2 # builds with rustc 1.88+ (checked with 1.95)

if [ ! -d "$SNAPSHOT/crates" ]; then
    echo "error: the advisory snapshot $SNAPSHOT is missing: ../shared/data must sit beside the checkout" >&2
    exit 1
fi

if ! cargo deny --version >/dev/null 2>&1; then
    echo "== installing cargo-deny $CARGO_DENY_VERSION (about 2-3 minutes on 2 cores)"
    start=$SECONDS
    cargo install --locked cargo-deny --version "$CARGO_DENY_VERSION"
    echo "cargo-deny installed in $((SECONDS - start)) s"
fi
echo "== $(cargo deny --version)"

# A fingerprint of the snapshot's content: the checkout is rebuilt only when it changes.
fingerprint=$(cd "$SNAPSHOT" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ ! -d "$DB/.git" ] || [ "$(cat "$DB_ROOT/snapshot.sha256" 2>/dev/null)" != "$fingerprint" ]; then
    echo "== laying out the advisory snapshot in $DB"
    rm -rf "$DB" "$DB_ROOT/snapshot.sha256"
    mkdir -p "$DB_ROOT"
    cp -R "$SNAPSHOT" "$DB"
    chmod -R u+w "$DB" # shared/ is read-only
    (
        cd "$DB"
        export GIT_AUTHOR_DATE="$SNAPSHOT_DATE" GIT_COMMITTER_DATE="$SNAPSHOT_DATE"
        git init -q -b main .
        git add -A
        git -c user.name="advisory snapshot" -c user.email="snapshot@localhost" -c commit.gpgsign=false \
            commit -q --no-verify -m "RustSec advisory-db snapshot bf5c0d2 ($SNAPSHOT_DATE)"
    )
    # cargo deny takes the newer of the HEAD commit's date and .git/HEAD's modification time
    # as the database's last update: date the file too, or a fresh `git init` looks fresh.
    touch -d "$SNAPSHOT_DATE" "$DB/.git/HEAD"
    echo "$fingerprint" >"$DB_ROOT/snapshot.sha256"
fi
updated=$(git -C "$DB" show -s --format=%cI HEAD)
age_days=$((($(date +%s) - $(date -d "$updated" +%s)) / 86400))
echo "advisory database: snapshot of $updated, $age_days days old"

# Offline, cargo deny reads the registry index (for yanked versions) from cargo's cache.
cargo fetch --locked --quiet

echo "== cargo deny --offline check $*"
cargo deny --offline check "$@"
