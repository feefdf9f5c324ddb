"""A private database on the throwaway PostgreSQL from tests/support/postgres.sh.

The tests create their own database so they never see another test's rows,
and drop it at the end (WITH (FORCE) ends connections a killed server left).
"""
import os
import shutil
import subprocess
import uuid


def base_url():
    """SCOLIOMASSAGE_TEST_POSTGRES_URL, or None when PostgreSQL is not set up."""
    return os.environ.get("SCOLIOMASSAGE_TEST_POSTGRES_URL") or None


def _psql():
    candidates = []
    if os.environ.get("PG_TEST_BIN"):
        candidates.append(os.path.join(os.environ["PG_TEST_BIN"], "psql"))
    found = shutil.which("psql")
    if found:
        candidates.append(found)
    for candidate in candidates:
        if os.path.exists(candidate):
            return candidate
    raise RuntimeError("psql not found (PG_TEST_BIN or PATH)")


def url_with_database(url, database):
    base, _, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    authority = rest.split("/", 1)[0]
    return "%s://%s/%s%s" % (scheme, authority, database, ("?" + query) if query else "")


def run_sql(url, sql):
    """Runs SQL with psql and returns its unaligned, tuples-only output."""
    result = subprocess.run([_psql(), url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError("psql failed: %s" % result.stderr)
    return result.stdout.strip()


class Database:
    """CREATE DATABASE on enter, DROP DATABASE on exit; .url is its URL."""

    def __init__(self, prefix):
        self.admin_url = base_url()
        self.name = "%s_%s" % (prefix, uuid.uuid4().hex[:12])
        self.url = url_with_database(self.admin_url, self.name)

    def __enter__(self):
        run_sql(self.admin_url, "CREATE DATABASE %s" % self.name)
        return self

    def __exit__(self, *exc):
        try:
            run_sql(self.admin_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)
        except RuntimeError as error:
            print("warning: could not drop %s: %s" % (self.name, error))
