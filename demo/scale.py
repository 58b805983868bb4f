"""A county at full size for benchmarks: ``flask demo scale``.

Set-based and fast rather than lifelike (the demo county, :mod:`demo.generator`, is the
lifelike one): every table is filled by one ``INSERT ... SELECT`` over
``generate_series`` run inside PostgreSQL, so no row crosses the wire, with the
triggers off (``session_replication_role = replica``: the sync and map change logs,
the append-only guards and the foreign-key checks are for the application's writes;
a bulk load of a fresh database needs none, and writes no change-log history; each
bill's maintained balance is written with the bill, by the rule its payment follows, and
each account's sums of them after the payments), and
every index of the big tables that no foreign key needs dropped first and built once at
the end. It needs the database owner's connection (a superuser in development).
``bench/scale_seed.py`` times it.

Not done, on purpose: UNLOGGED tables turned LOGGED at the end (every table that
references ``account``, ``bill`` or ``payment`` would have to be unlogged too, and
``SET LOGGED`` rewrites each table into the WAL anyway, since the server's
``wal_level`` is ``replica``).

The county: ``stations`` stations in a grid of valleys, ``collectors`` collectors
spread over them (one supervisor each), ``accounts`` accounts around their station's
depot, each with one responsible collector, a year of monthly bills (due on the 10th
of the next month) and payments: most accounts pay each bill on time online or at the
counter, some pay late with the late fee, a tenth stop paying some months ago (the
arrears the collectors chase). Late fees follow :mod:`core.money.fees`; every payment is
allocated to its bill and audited, so :func:`core.money.invariants.check_ledger` holds.
Deterministic for a given size.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy import Connection, text

from core.money.balance import ACCOUNT_REBUILD_SQL

__all__ = ["ScaleReport", "seed_scale"]


@dataclass(frozen=True)
class ScaleReport:
    stations: int
    collectors: int
    accounts: int
    bills: int
    payments: int
    seconds: dict[str, float]


def _months(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last billed month: the twelve months before ``today``'s."""
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    first = dt.date(last.year - 1 + (last.month == 12), last.month % 12 + 1, 1)
    return first, last


_BIG_TABLES = (
    "account",
    "bill",
    "payment",
    "payment_allocation",
    "account_responsibility",
    "money_audit",
    "bill_balance",
    "account_balance",
)
#: When a paid bill's balance row says it was paid and whether at the door: its payment's
#: ``collected_at`` and ``field_cash`` channel, as the payments below are written (10:30
#: in Shanghai, on time 3-7 days before the due date or late 25 days after it; cash at
#: the door for one account in five).
_PAID_AT = """
    (CASE WHEN {account} % 100 < 75 THEN {bill}.due_date - 3 - {account} % 5
          ELSE {bill}.due_date + 25 END) + time '10:30' - interval '8 hours'
"""
_AT_DOOR = "{account} % 5 = 4"
#: Whether a bill is paid by the load (its account's behaviour, from its id: 0-74 on
#: time, 75-89 late by 25 days with the late fee of core.money.fees: residential 1 per
#: mille a day, other users 2 within the due date's year and 3 after it, at least 1
#: yuan; 90-99 chronic, nothing in the last 2-7 months), for both the bill's balance
#: and its payment.
_PAID = """
    ({account} % 100 < 90
     OR {bill}.period < CAST(:last AS date) - (2 + {account} % 6) * interval '1 month')
    AND (CASE WHEN {account} % 100 < 75 THEN {bill}.due_date - 3 ELSE {bill}.due_date + 25 END)
        < CAST(:today AS date)
"""
_STEPS = [
    (
        "stations",
        """
        INSERT INTO county (code, name) VALUES ('SCALE', '规模测试县供电公司');
        INSERT INTO station (county_id, code, name, depot, timezone, service_radius_m)
        SELECT (SELECT id FROM county WHERE code = 'SCALE'), 'SC-' || lpad(s::text, 2, '0'),
               '规模测试供电所' || s,
               ST_SetSRID(ST_MakePoint(110.0 + (s % 5) * 0.5, 34.0 + (s / 5) * 0.4), 4326),
               'Asia/Shanghai', 40000
        FROM generate_series(0, :stations - 1) s;
        """,
    ),
    (
        "users",
        """
        INSERT INTO app_user (username, display_name, password_hash, role, active, token_version)
        SELECT 'scale-collector-' || lpad(c::text, 3, '0'), '收费员' || c, :hash,
               'collector', true, 0
        FROM generate_series(0, :collectors - 1) c;
        INSERT INTO app_user (username, display_name, password_hash, role, active, token_version)
        SELECT 'scale-supervisor-' || lpad(s::text, 2, '0'), '所长' || s, :hash,
               'supervisor', true, 0
        FROM generate_series(0, :stations - 1) s;
        INSERT INTO user_station (user_id, station_id)
        SELECT u.id, st.id FROM app_user u
        JOIN station st ON st.code = 'SC-' || lpad(
            (CASE WHEN u.role = 'collector'
                  THEN substr(u.username, 17)::int % :stations
                  ELSE substr(u.username, 18)::int END)::text, 2, '0')
        WHERE u.username LIKE 'scale-%';
        INSERT INTO territory (station_id, name, area)
        SELECT us.station_id, u.display_name || '片区',
               ST_Multi(ST_Buffer(st.depot, 0.002))  -- until its accounts are in
        FROM app_user u JOIN user_station us ON us.user_id = u.id
        JOIN station st ON st.id = us.station_id
        WHERE u.username LIKE 'scale-collector-%';
        INSERT INTO territory_collector (territory_id, user_id)
        SELECT t.id, u.id FROM app_user u
        JOIN user_station us ON us.user_id = u.id
        JOIN territory t ON t.station_id = us.station_id AND t.name = u.display_name || '片区'
        WHERE u.username LIKE 'scale-collector-%';
        """,
    ),
    (
        "accounts",
        # Accounts come station by station (a station's accounts are imported together:
        # their ids, and their bills, lie together), in villages of 40 houses on a ring
        # around the depot; each station's ring is cut into one sector per collector,
        # who is responsible for its accounts and whose territory it is.
        """
        INSERT INTO account (station_id, number, name, address, phone, village, category,
                             location, responsible_id, territory_id)
        SELECT st.id, 'SC' || lpad(h.a::text, 10, '0'), '户主' || h.a,
               '规模村' || h.a / 40 || '组' || h.a % 40 || '号', '13800000000',
               '规模村' || h.a / 40,
               (CASE WHEN h.a % 50 = 0 THEN 'non_residential' ELSE 'residential' END)
                   ::account_category,
               ST_SetSRID(ST_MakePoint(
                   ST_X(st.depot) + 0.15 * cos(radians(360 * h.ring))
                       * (0.2 + ((h.a / 40) % 7) / 8.0) + ((h.a % 40) - 20) * 0.0002,
                   ST_Y(st.depot) + 0.12 * sin(radians(360 * h.ring))
                       * (0.2 + ((h.a / 40) % 7) / 8.0) + ((h.a * 7) % 40 - 20) * 0.0002),
                   4326),
               c.id, c.territory_id
        FROM (
            SELECT a, a * :stations / :accounts AS station,
                   -- the village's place on its station's ring, 0 to 1
                   ((a / 40 * 40)::bigint * :stations % :accounts)::float8 / :accounts AS ring
            FROM generate_series(0, :accounts - 1) a
        ) h
        JOIN station st ON st.code = 'SC-' || lpad(h.station::text, 2, '0')
        JOIN LATERAL (
            SELECT u.id, tc.territory_id FROM app_user u
            JOIN territory_collector tc ON tc.user_id = u.id
            WHERE u.username = 'scale-collector-' || lpad(
                (floor(h.ring * (:collectors / :stations))::int * :stations
                 + h.station)::text, 3, '0')
        ) c ON true;
        INSERT INTO account_responsibility (account_id, collector_id, valid_from)
        SELECT id, responsible_id, :first FROM account
        WHERE number LIKE 'SC%' AND responsible_id IS NOT NULL;
        UPDATE territory t SET area = h.area
        FROM (SELECT territory_id,
                     ST_Multi(ST_Buffer(ST_ConvexHull(ST_Collect(location)), 0.002)) AS area
              FROM account WHERE number LIKE 'SC%' GROUP BY territory_id) h
        WHERE t.id = h.territory_id;
        """,
    ),
    (
        "bills",
        # Each bill's maintained balance is written with it: settled or not, by the rule
        # the payments below follow (the triggers that keep it are off).
        """
        WITH b AS (
            INSERT INTO bill (account_id, period, amount, due_date)
            SELECT a.id, m::date, round((40 + (a.id * 37 + extract(month from m)::int * 11)
                                         % 260 + (a.id % 7) * 0.13)::numeric, 2),
                   (m + interval '1 month' + interval '9 days')::date
            FROM account a, generate_series(CAST(:first AS date), CAST(:last AS date),
                                             interval '1 month') m
            WHERE a.number LIKE 'SC%'
            RETURNING id, account_id, period, due_date, amount
        )
        INSERT INTO bill_balance (bill_id, account_id, outstanding, period, due_date, billed,
                                  last_paid_at, paid_at_door)
        SELECT b.id, b.account_id, CASE WHEN paid THEN 0 ELSE b.amount END, b.period,
               b.due_date, b.amount,
               CASE WHEN paid THEN """
        + _PAID_AT.format(account="b.account_id", bill="b")
        + """ END,
               paid AND """
        + _AT_DOOR.format(account="b.account_id")
        + """
        FROM b, LATERAL (SELECT """
        + _PAID.format(account="b.account_id", bill="b")
        + """ AS paid) p;
        """,
    ),
    (
        "payments",
        # A payment per paid bill (_PAID), allocated to it, and its audit row (by the
        # collector for cash at the door, else the station's supervisor).
        """
        CREATE TEMP TABLE scale_paid ON COMMIT DROP AS
        SELECT b.id AS bill_id, b.account_id, b.amount, a.station_id,
               -- ordered ids: the key's index grows at its end
               ('5ca1e000-0000-4000-8000-' || lpad(to_hex(b.id), 12, '0'))::uuid AS payment_id,
               CASE WHEN a.id % 100 < 75 THEN b.due_date - 3 - a.id % 5
                    ELSE b.due_date + 25 END AS paid_on,
               CASE WHEN a.id % 100 < 75 THEN 0
                    WHEN a.category = 'residential'
                    THEN greatest(1, round(b.amount * 0.001 * 25, 2))
                    ELSE greatest(1, round(b.amount * (
                        0.002 * least(25, make_date(extract(year FROM b.due_date)::int, 12, 31)
                                          - b.due_date)
                        + 0.003 * greatest(0, 25 - (make_date(
                            extract(year FROM b.due_date)::int, 12, 31) - b.due_date))), 2))
               END AS fee,
               (ARRAY['alipay', 'wechat', 'counter', 'bank', 'field_cash'])[1 + a.id % 5]
                   AS channel,
               CASE WHEN a.id % 5 = 4 THEN a.responsible_id END AS collector_id
        FROM bill b JOIN account a ON a.id = b.account_id
        WHERE a.number LIKE 'SC%' AND """
        + _PAID.format(account="a.id", bill="b")
        + """;
        INSERT INTO payment (id, kind, account_id, amount, channel, collected_at, collector_id)
        SELECT payment_id, 'payment', account_id, amount + fee, channel::payment_channel,
               paid_on + time '10:30' - interval '8 hours', collector_id
        FROM scale_paid;
        INSERT INTO payment_allocation (payment_id, bill_id, principal, late_fee)
        SELECT payment_id, bill_id, amount, fee FROM scale_paid;
        INSERT INTO money_audit (event, entity_id, account_id, station_id, actor_id, amount,
                                 detail, recorded_at)
        SELECT 'payment.created', p.payment_id, p.account_id, p.station_id,
               coalesce(p.collector_id, s.supervisor_id), p.amount + p.fee,
               jsonb_build_object('channel', p.channel, 'collector_id', p.collector_id),
               p.paid_on + time '10:30' - interval '8 hours'
        FROM scale_paid p JOIN (
            SELECT us.station_id, u.id AS supervisor_id FROM app_user u
            JOIN user_station us ON us.user_id = u.id
            WHERE u.username LIKE 'scale-supervisor-%'
        ) s ON s.station_id = p.station_id;
        """,
    ),
    # Each account's open bills summed (core.money.balance), from the balances above.
    ("account balances", ACCOUNT_REBUILD_SQL),
]


#: The big tables' indexes that no foreign key needs: (table, index, the constraint it
#: backs or NULL, the constraint's or the index's definition).
_DROPPABLE = """
    SELECT t.relname, c.relname, con.conname,
           coalesce(pg_get_constraintdef(con.oid), pg_get_indexdef(i.indexrelid))
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid
    LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = t.oid
         AND con.contype IN ('p', 'u', 'x')
    WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY(:tables)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint f
                      WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
    ORDER BY t.relname, c.relname
"""


def seed_scale(
    conn: Connection,
    password_hash: str,
    *,
    accounts: int,
    stations: int,
    collectors: int,
    today: dt.date,
) -> ScaleReport:
    """Fill an empty database with the scale county (the caller commits)."""
    if collectors % stations:
        raise ValueError("collectors must be a multiple of stations")
    first, last = _months(today)
    params = {
        "accounts": accounts,
        "stations": stations,
        "collectors": collectors,
        "hash": password_hash,
        "first": first,
        "last": last,
        "today": today,
    }
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    conn.execute(text("SET LOCAL synchronous_commit = off"))
    conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
    # The joins hash millions of rows: in memory, not in batches.
    conn.execute(text("SET LOCAL work_mem = '256MB'"))
    # Every index of the big tables is built once at the end, by one sort, rather than
    # maintained row by row (unique and exclusion constraints too: re-adding one checks
    # it). Only the keys that foreign keys reference stay (dropping them would drop the
    # foreign keys, and re-adding those re-reads both tables); their ids grow in order.
    indexes = conn.execute(text(_DROPPABLE), {"tables": list(_BIG_TABLES)}).all()
    for table, index, constraint, _ in indexes:
        if constraint is None:
            conn.execute(text(f'DROP INDEX "{index}"'))
        else:
            conn.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"'))
    seconds: dict[str, float] = {}
    for name, sql in _STEPS:
        started = time.monotonic()
        for statement in (s for s in sql.split(";") if s.strip()):
            conn.execute(text(statement), params)
        seconds[name] = round(time.monotonic() - started, 1)
    started = time.monotonic()
    for table, _, constraint, definition in indexes:
        if constraint is None:
            conn.execute(text(definition))
        else:
            conn.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {definition}'))
    seconds["indexes"] = round(time.monotonic() - started, 1)

    def count(sql: str) -> int:
        return int(conn.execute(text(sql)).scalar_one())

    return ScaleReport(
        stations=stations,
        collectors=collectors,
        accounts=accounts,
        bills=count("SELECT count(*) FROM bill"),
        payments=count("SELECT count(*) FROM payment"),
        seconds=seconds,
    )
