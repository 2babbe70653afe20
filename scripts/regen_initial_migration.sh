#!/usr/bin/env bash
# Pre-release only: rebuild the initial migration from the models. Once a release
# ships, add new revisions with `alembic revision --autogenerate -m "..."` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f src/punchcard/migrations/versions/0001_initial.py
tmp=$(mktemp -d)
PUNCHCARD_DATABASE_URL="sqlite:///$tmp/empty.db" .venv/bin/alembic revision --autogenerate --rev-id 0001 -m initial >/dev/null
mv src/punchcard/migrations/versions/0001_initial.py src/punchcard/migrations/versions/0001_initial.py 2>/dev/null || true
.venv/bin/ruff format -q src/punchcard/migrations/versions/ || true
.venv/bin/ruff check -q --fix src/punchcard/migrations/versions/ || true
rm -rf "$tmp"
echo "regenerated src/punchcard/migrations/versions/0001_initial.py"
