"""Running calls at the same moment, for the races that matter (PostgreSQL only: SQLite has no row locks)."""

import threading

import pytest
from django.db import connection

POSTGRES_ONLY = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def race(*calls, refusal=Exception):
    """Run the calls at once in separate threads (and connections); return what each did, sorted.

    "ok" for a call that succeeded, the class name of a `refusal` (the domain's own error), and the repr
    of anything else (an IntegrityError there means the locking failed).
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            call()
            results[index] = "ok"
        except refusal as exc:
            results[index] = type(exc).__name__
        except Exception as exc:
            results[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)
