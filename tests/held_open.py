"""A transaction held open on another thread, for tests of what a second
writer meets while the first still holds its row locks."""

import contextlib
import threading

from django.db import connection, transaction


@contextlib.contextmanager
def held_open(write):
    """Run `write()` in a transaction on another thread and keep that
    transaction open until the block ends; yields the list `write`'s result
    lands in. An error in `write` fails the test after the block."""
    holding, release = threading.Event(), threading.Event()
    results, failures = [], []

    def run():
        try:
            with transaction.atomic():
                results.append(write())
                holding.set()
                release.wait(10)
        except Exception as error:  # noqa: BLE001 - raised again by the test's thread
            failures.append(error)
            holding.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert holding.wait(10), "the first transaction never got going"
        if failures:
            raise failures[0]
        yield results
    finally:
        release.set()
        thread.join(10)
    if failures:
        raise failures[0]
