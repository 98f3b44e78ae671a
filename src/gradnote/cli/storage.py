"""Where `gradnote tune` keeps a study, and how several workers share it without running too many trials.

SQLite (a file) is the default; a server database such as ``postgresql://user@host:5432/db`` lets
workers on several machines share one study. Optuna alone cannot stop at exactly N trials: two
workers that both see N - 1 finished trials both start one more. So each worker claims a trial
under a lock that every worker of the study takes (PostgreSQL's advisory lock; a file lock beside
a SQLite file) and lets go as soon as the trial exists in the database. On a server database,
workers send heartbeats: a trial whose worker died is marked failed, and failed trials do not count.
"""

from __future__ import annotations

import contextlib
import warnings
import zlib


@contextlib.contextmanager
def _driver_named(storage: str):
    """A missing database driver as one line naming the extra that brings it."""
    try:
        yield
    except ImportError:  # SQLAlchemy's ModuleNotFoundError, or Optuna's own wrapping of it
        if storage.startswith("postgresql"):
            raise ImportError("tune: a postgresql:// storage needs psycopg, an optional extra: "
                              "pip install 'gradnote[postgres]'") from None
        raise


@contextlib.contextmanager
def study_lock(storage: str, study_name: str):
    """Held by one worker of `study_name` at a time, across processes and machines."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    url = make_url(storage)
    if url.get_backend_name() == "postgresql":
        with _driver_named(storage):
            engine = create_engine(url, poolclass=NullPool)
        key = zlib.crc32(f"gradnote.tune:{study_name}".encode())
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        finally:
            engine.dispose()
    elif url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        import fcntl

        with open(f"{url.database}.lock", "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
    else:  # another database: no lock, so concurrent workers may each overshoot the trial count by one
        yield


def open_storage(storage: str):
    """The Optuna storage for a URL (SQLite as the URL itself; server databases with heartbeats)."""
    import optuna

    if storage.startswith("sqlite"):
        return storage
    with _driver_named(storage), warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # heartbeats: stable in use since 2.x
        return optuna.storages.RDBStorage(storage, heartbeat_interval=30, grace_period=120)


def run_trials(study, objective, trials: int, storage: str, study_name: str) -> None:
    """Run trials of `study` until it holds `trials` that finished or are running; failed ones do not count."""
    from optuna.trial import TrialState

    live = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING, TrialState.WAITING)
    claim = contextlib.ExitStack()

    def claimed(trial):
        claim.close()  # the trial is in the database now: other workers count it and may claim theirs
        return objective(trial)

    while True:
        with claim:
            claim.enter_context(study_lock(storage, study_name))
            if len(study.get_trials(deepcopy=False, states=live)) >= trials:
                return
            study.optimize(claimed, n_trials=1)
