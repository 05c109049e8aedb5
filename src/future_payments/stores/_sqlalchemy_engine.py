"""The database side of ``SQLAlchemyStore``: URL and engine, connections, transactions, schema.

Imported only by the SQLAlchemy store's modules, which check first that SQLAlchemy is
installed. ``Database`` turns a URL or a borrowed engine into the two connection proxies the
store uses (writes at READ COMMITTED, reads in autocommit), runs each write as one transaction
retried whole after a deadlock, turns every database error into a ``StoreError`` leaf
(``_sqlalchemy_errors``), and creates, migrates and checks the versioned schema
(``_sqlalchemy_migrate``).
"""

from __future__ import annotations

import contextlib
import copy
import random
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import sqlalchemy as sa

from future_payments.errors import (
    DatabaseDriverMissing,
    DatabaseUnreachable,
    InvalidDatabaseURL,
    InvalidInput,
    UnstorableValue,
)
from future_payments.stores import _sqlalchemy_migrate as migrate
from future_payments.stores._sqlalchemy_errors import is_transient, translate
from future_payments.stores._sqlalchemy_schema import PREFIX_PATTERN, build_tables
from future_payments.stores._sqlalchemy_statements import insert_if_absent, insert_new, upsert

T = TypeVar("T")


_DEFAULT_DRIVERS = {"postgresql": "psycopg", "mysql": "pymysql", "mariadb": "pymysql"}
_BACKENDS = ("postgresql", "mysql", "mariadb", "sqlite")
_MAX_ATTEMPTS = 8
_MYSQL = ("mysql", "mariadb")
_WRITE_ISOLATION = "READ COMMITTED"


def engine_from_url(text: str) -> sa.Engine:
    """An engine for ``text``, with the driver our extra installs when the URL names none.

    Raises:
        InvalidDatabaseURL: the URL cannot be parsed or names another database.
        DatabaseDriverMissing: the URL's driver is not installed.
    """
    try:
        url = sa.make_url(text)
    except (sa.exc.ArgumentError, ValueError):
        # The text may hold a password: never echo it.
        raise InvalidDatabaseURL(
            "not a database URL; expected dialect+driver://user:password@host:port/database, "
            "e.g. postgresql+psycopg://app@db.internal:5432/shop"
        ) from None
    backend = url.get_backend_name()
    shown = url.render_as_string(hide_password=True)
    if backend not in _BACKENDS:
        raise InvalidDatabaseURL(
            f"SQLAlchemyStore supports PostgreSQL, MariaDB/MySQL and SQLite, not {backend!r} "
            f"(URL {shown})"
        )
    if "+" not in url.drivername and backend in _DEFAULT_DRIVERS:
        # SQLAlchemy's default driver differs between versions and is not what our extra
        # installs; pick the one that is.
        url = url.set(drivername=f"{backend}+{_DEFAULT_DRIVERS[backend]}")
    # hide_parameters: error messages must never carry a stored client_secret. No pre-ping (a
    # round trip per checkout): a connection found broken by a call's first statement is
    # retried once instead (``Database``). READ COMMITTED is set once per connection, not at
    # every checkout. On MariaDB no reset either: PyMySQL sends ROLLBACK for it even after a
    # COMMIT, and every transaction of the store ends before its connection goes back.
    options: dict[str, Any] = {"hide_parameters": True, "pool_pre_ping": False}
    if backend in _MYSQL:
        options["pool_reset_on_return"] = None
    if backend != "sqlite":
        options["isolation_level"] = _WRITE_ISOLATION
    try:
        return sa.create_engine(url, **options)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise DatabaseDriverMissing(
            f"the driver for {url.drivername!r} is not installed ({exc}); the 'sqlalchemy' extra "
            "installs psycopg (postgresql+psycopg://) and PyMySQL (mariadb+pymysql://, "
            "mysql+pymysql://): in a clone, pip install '.[sqlalchemy]'"
        ) from exc


_RAN = "future_payments_ran"


def _mark_ran(conn: sa.Connection, *_: object) -> None:
    ran = conn.info.get(_RAN)
    if isinstance(ran, list):
        ran[0] = True


def _watch(conn: sa.Connection, *, owned: bool) -> None:
    """Keep in ``conn.info`` a flag that turns True once a statement got through ``conn``.

    Only our own server engines are watched (they have no pre-ping); elsewhere the flag starts
    True, so nothing is retried: a borrowed engine's pool settings are the app's.
    """
    conn.info[_RAN] = [not owned]


def _stale(exc: sa.exc.DBAPIError, ran: list[bool]) -> bool:
    """The connection was broken before this call sent anything through it (safe to retry)."""
    return bool(exc.connection_invalidated) and not ran[0]


class Database:
    """The engine of one ``SQLAlchemyStore``, its transactions, and its versioned schema.

    Args and errors: as documented on ``SQLAlchemyStore``, which makes one of these.
    """

    def __init__(self, engine_or_url: sa.Engine | str, *, table_prefix: str) -> None:
        if not isinstance(table_prefix, str) or not PREFIX_PATTERN.fullmatch(table_prefix):
            raise InvalidInput(
                f"table_prefix {table_prefix!r} must be up to 20 lower-case letters, digits "
                "and underscores, starting with a letter (or empty)"
            )
        if isinstance(engine_or_url, str):
            self.engine, self._owns_engine = engine_from_url(engine_or_url), True
        elif isinstance(engine_or_url, sa.Engine):
            self.engine, self._owns_engine = engine_or_url, False
        else:
            raise InvalidInput(
                f"engine_or_url must be a sqlalchemy.Engine or a URL string, "
                f"not {type(engine_or_url).__name__}"
            )
        self.dialect = self.engine.dialect.name
        if self.dialect not in _BACKENDS:
            raise InvalidDatabaseURL(
                f"SQLAlchemyStore supports PostgreSQL, MariaDB/MySQL and SQLite, "
                f"not {self.dialect!r}"
            )
        self._sqlite = self.dialect == "sqlite"
        # Proxies that share the engine's pool: writes at READ COMMITTED (the store's
        # statements rely on each statement seeing the latest commits), reads in autocommit.
        # An engine made from a URL is at READ COMMITTED already (no per-checkout setting);
        # a borrowed one is set at each checkout, whatever its own default.
        self._writer = (
            self.engine
            if self._sqlite or self._owns_engine
            else self.engine.execution_options(isolation_level=_WRITE_ISOLATION)
        )
        # Reads in autocommit, except on our own MariaDB engines: PyMySQL would send SET
        # AUTOCOMMIT at each checkout and back, so a read there is its own short transaction.
        self._reader = (
            self._writer
            if self._owns_engine and self.dialect in _MYSQL
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self.joined: sa.Connection | None = None  # set on the copies ``transaction()`` makes
        self._watched = self._owns_engine and not self._sqlite
        if self._watched:
            # Our engines have no pre-ping: a call whose first statement finds the pooled
            # connection broken (the server restarted) is retried once, and this tells
            # whether any statement of the call got through before.
            sa.event.listen(self.engine, "after_cursor_execute", _mark_ran)
        self.tables = build_tables(table_prefix)
        self.prefix = table_prefix
        self._schema_checked = False

    def shown_url(self) -> str:
        """The URL with its password masked."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Dispose the engine if it was made from a URL; a borrowed engine is left open."""
        if self._owns_engine:
            self.engine.dispose()

    # -- schema ------------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Create or migrate the tables (see ``SQLAlchemyStore.create_schema``)."""
        self._schema_checked = False
        with self._translated():
            migrate.create_schema(self)
        self.check_schema()

    def check_schema(self) -> None:
        """Raise unless the tables exist with this version (checked once per store)."""
        if self._schema_checked:
            return
        with self._translated(), self.connect(self._reader) as conn:
            migrate.check_schema(self, conn)
        self._schema_checked = True

    # -- connections and transactions ------------------------------------------------------

    def connect(self, engine: sa.Engine) -> sa.Connection:
        """A connection of ``engine`` (one of our proxies); ``DatabaseUnreachable`` if none."""
        try:
            return engine.connect()
        except sa.exc.DBAPIError as exc:
            url = self.engine.url
            where = f"{url.host or 'localhost'}:{url.port or 'default port'}"
            if self._sqlite:
                where = f"file {url.database!r}"
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseUnreachable(
                f"cannot connect to the {self.dialect} database at {where} (database "
                f"{url.database!r}, user {url.username!r}): {reason}. Check that the server "
                "is running and reachable from here, and that the user, password and "
                "database name are right."
            ) from exc

    def read(self, work: Callable[[sa.Connection], T]) -> T:
        """Run ``work`` on an autocommit connection (inside ``transaction()``: its own)."""
        if self.joined is not None:
            with self._translated():
                return work(self.joined)
        self.check_schema()
        return self._attempts(work, self._autocommit, conflicts=False)

    def write(self, work: Callable[[sa.Connection], T], *, single: bool = False) -> T:
        """Run ``work`` in one transaction, retrying it whole after a deadlock.

        Inside ``transaction()``, ``work`` joins that transaction instead (and is not retried:
        the block is). ``single``: ``work`` is one statement, atomic by itself; on PostgreSQL
        it runs in autocommit, one round trip instead of three (BEGIN, the statement, COMMIT).
        """
        if self.joined is not None:
            with self._translated():
                return work(self.joined)
        self.check_schema()
        autocommit = single and self.dialect == "postgresql"
        return self._attempts(work, self._autocommit if autocommit else self._begin, conflicts=True)

    def _attempts(
        self,
        work: Callable[[sa.Connection], T],
        checkout: Callable[[], contextlib.AbstractContextManager[sa.Connection]],
        *,
        conflicts: bool,
    ) -> T:
        """Run ``work`` on a connection from ``checkout``, again when that is safe.

        A connection found broken before any statement got through (the pool has no
        pre-ping) is replaced once; with ``conflicts``, a deadlock or serialization failure
        runs ``work`` again, up to ``_MAX_ATTEMPTS`` times, with jitter.
        """
        with self._translated():
            stale = False
            for attempt in range(1, _MAX_ATTEMPTS + 1):
                ran = [True]
                try:
                    with checkout() as conn:
                        ran = conn.info[_RAN]
                        return work(conn)
                except sa.exc.DBAPIError as exc:
                    if not stale and _stale(exc, ran):
                        stale = True
                        continue
                    if not conflicts or attempt == _MAX_ATTEMPTS or not is_transient(exc):
                        raise
                # Jitter, not cryptography: spread the retries of colliding transactions apart.
                time.sleep(random.uniform(0, 0.002 * 2**attempt))  # noqa: S311
        raise AssertionError("unreachable")  # pragma: no cover

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """A copy of this database whose ``read`` and ``write`` all join one transaction.

        Commits when the block ends, rolls back when it raises; a deadlock or serialization
        failure raises ``DatabaseBusy`` (the caller runs the block again).
        """
        if self.joined is not None:
            yield self
            return
        self.check_schema()
        with self._translated(), self._begin() as conn:
            joined = copy.copy(self)
            joined.joined = conn
            yield joined

    @contextlib.contextmanager
    def _autocommit(self) -> Iterator[sa.Connection]:
        with self.connect(self._reader) as conn:
            _watch(conn, owned=self._watched)
            yield conn

    @contextlib.contextmanager
    def _begin(self) -> Iterator[sa.Connection]:
        with self.connect(self._writer) as conn, conn.begin():
            _watch(conn, owned=self._watched)
            if self._sqlite:
                # Take the write lock now: a deferred transaction that reads, then writes,
                # could otherwise fail to upgrade its lock.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        """Turn any SQLAlchemy or driver error into the ``StoreError`` leaf that explains it."""
        try:
            yield
        except sa.exc.SQLAlchemyError as exc:
            raise translate(exc, where=self.where) from exc
        except (UnicodeEncodeError, OverflowError) as exc:
            # A driver that could not encode a parameter; refuses_unstorable stops these first.
            raise UnstorableValue(f"a value could not be sent to {self.where}: {exc}") from exc

    @property
    def where(self) -> str:
        """The database, as error messages name it (never with the password)."""
        if self._sqlite:
            return str(self.engine.url.database)
        return f"the {self.dialect} database {self.shown_url()}"

    def insert_if_absent(
        self, conn: sa.Connection, table: sa.Table, values: dict[str, Any], key: str
    ) -> None:
        """Insert ``values`` unless a row with the same ``key`` exists."""
        conn.execute(insert_if_absent(self.dialect, table, values, key))

    def insert_new(self, conn: sa.Connection, table: sa.Table, values: dict[str, Any]) -> bool:
        """Insert ``values`` unless their key is taken; whether this call inserted them."""
        return insert_new(conn, self.dialect, table, values)

    def upsert(
        self,
        conn: sa.Connection,
        table: sa.Table,
        values: dict[str, Any],
        key: str,
        update: dict[str, Any],
    ) -> None:
        """Insert ``values``, or apply ``update`` to the row with the same ``key``."""
        conn.execute(upsert(self.dialect, table, values, key, update))

    def one(self, conn: sa.Connection, table: sa.Table, key: str, value: str) -> sa.Row[Any]:
        """The row of ``table`` whose ``key`` column is ``value`` (it must exist)."""
        return conn.execute(sa.select(table).where(table.c[key] == value)).one()
