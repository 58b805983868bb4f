"""The CLI creates users; the demo county is believable and deterministic."""

from __future__ import annotations

import datetime as dt
import hashlib

from geoalchemy2.functions import ST_AsText
from sqlalchemy import func, select

from core.models import Account, Bill, Payment, Role, Station, Territory, User, Visit
from demo.generator import seed_demo

TODAY = dt.date(2026, 11, 26)


def test_cli_creates_a_collector_who_can_log_in(app, client, factory, session):
    """`flask users create` stores an argon2id hash and the user can log in."""
    st = factory.station()
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--username",
            "cli-collector",
            "--password",
            "pw-1234567x",
            "--role",
            "collector",
            "--station",
            st.code,
        ]
    )
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.username == "cli-collector")).one()
    assert user.role is Role.COLLECTOR and user.password_hash.startswith("$argon2id$")
    assert user.profile is not None
    login = client.post(
        "/api/auth/login", json={"username": "cli-collector", "password": "pw-1234567x"}
    )
    assert login.status_code == 200


def test_cli_refuses_an_unknown_station(app):
    """Creating a user for an unknown station fails with a clear message."""
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--username",
            "x1",
            "--password",
            "p",
            "--role",
            "supervisor",
            "--station",
            "NO-SUCH",
        ]
    )
    assert result.exit_code != 0 and "Unknown station" in result.output


def _digest(session) -> str:
    rows = session.execute(
        select(Account.number, Account.name, Account.address, ST_AsText(Account.location)).order_by(
            Account.number
        )
    ).all()
    bills = session.execute(select(func.sum(Bill.amount), func.count())).one()
    return hashlib.sha256(repr((rows, bills)).encode()).hexdigest()


def test_demo_seed_is_believable(app, session):
    """The demo has stations, territories covering every account, collectors, arrears and visits."""
    # Rows other tests committed for real are not the demo's: count the new stations' only.
    before = session.scalar(select(func.coalesce(func.max(Station.id), 0)))
    report = seed_demo(session, app.extensions["passwords"], accounts=300, seed=3, today=TODAY)
    assert report.stations == 2 and report.accounts >= 300
    demo = select(Account.id).where(Account.station_id > before)

    def count(model, *where):
        return session.scalar(select(func.count()).select_from(model).where(*where))

    assert count(Account, Account.id.in_(demo), Account.territory_id.is_(None)) == 0
    assert count(Account, Account.id.in_(demo), Account.responsible_id.is_(None)) == 0
    assert count(Account, Account.id.in_(demo)) >= 300
    collectors = count(User, User.role == Role.COLLECTOR, User.stations.any(Station.id > before))
    assert collectors >= 6
    assert count(Territory, Territory.station_id > before) >= 8
    assert count(Visit, Visit.account_id.in_(demo)) > 0
    billed = session.scalar(select(func.sum(Bill.amount)).where(Bill.account_id.in_(demo)))
    paid = session.scalar(select(func.sum(Payment.amount)).where(Payment.account_id.in_(demo)))
    assert 0.5 * float(billed) < float(paid) < 1.1 * float(billed)  # most pay; a tail does not
    names = session.scalars(select(Station.name).where(Station.id > before)).all()
    assert len(names) == 2 and all(n.endswith("供电所") for n in names)


def test_demo_seed_is_deterministic(app, session):
    """The same seed and day give the same accounts and bills."""
    digests = []
    for _ in range(2):
        nested = session.begin_nested()
        seed_demo(session, app.extensions["passwords"], accounts=120, seed=11, today=TODAY)
        digests.append(_digest(session))
        nested.rollback()
    assert digests[0] == digests[1]


def test_the_demo_hands_over_each_days_cash(app, session):
    """Each demo collector handed the station every day's field cash: nobody starts the
    demo holding a year of cash, so the first reconciliation expects what is in hand."""
    from core.models.ledger_extra import CashEvent
    from core.money.custody import window

    before = session.scalar(select(func.coalesce(func.max(Station.id), 0)))
    seed_demo(session, app.extensions["passwords"], accounts=300, seed=5, today=TODAY)
    collectors = session.scalars(
        select(User).where(User.role == Role.COLLECTOR, User.stations.any(Station.id > before))
    ).all()
    handed = 0
    for c in collectors:
        w = window(session, c.id, "Asia/Shanghai")
        assert w.in_hand == 0, (c.username, w)
        handed += w.handed_over > 0
    assert handed >= len(collectors) // 2
    events = session.scalars(
        select(CashEvent).where(CashEvent.collector_id.in_([c.id for c in collectors]))
    ).all()
    assert all(e.kind == "handover" and e.business_date < TODAY for e in events)


def test_check_ledger_finds_a_balance_that_left_the_ledger(app, factory, session):
    """`flask db check-ledger` holds on a station's ledger and names a maintained bill
    balance that no longer equals its recount."""
    import datetime as dt

    from sqlalchemy import text

    station = factory.station()
    account = factory.account(station)
    bill = factory.bill(account, dt.date(2026, 1, 1), "80.00", dt.date(2026, 2, 10))
    runner = app.test_cli_runner()
    args = ["db", "check-ledger", "--station", str(station.id)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0 and "ledger holds" in result.output, result.output
    session.execute(
        text("UPDATE bill_balance SET outstanding = outstanding - 1 WHERE bill_id = :b"),
        {"b": bill.id},
    )
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "bill_balance_matches_ledger: 1 violation" in result.output
    assert f"{bill.id} balance 79.00 ledger 80.00" in result.output
    # The account's sums were recounted from the wrong balance: they leave the ledger too.
    assert "account_balance_matches_ledger: 1 violation" in result.output
    assert f"account {account.id} balance 79.00/1 bills ledger 80.00/1 bills" in result.output


def test_check_ledger_is_not_stopped_by_the_requests_statement_timeout(
    app, factory, session, monkeypatch
):
    """`flask db check-ledger` is a batch job: a county's ledger takes longer than the
    requests' statement timeout, so the command lifts it for its own checks."""
    from sqlalchemy import text

    from core.money import invariants

    station = factory.station()
    session.execute(text("SET LOCAL statement_timeout = '100ms'"))
    # A check that takes 0.3 s and finds nothing, as a big station's would.
    monkeypatch.setitem(invariants._CHECKS, "slow", "SELECT 'x' FROM pg_sleep(0.3) WHERE false")
    result = app.test_cli_runner().invoke(args=["db", "check-ledger", "--station", str(station.id)])
    assert result.exit_code == 0 and "ledger holds" in result.output, result.output


def test_db_ensure_sets_the_planners_random_page_cost(app):
    """`flask db ensure` sets DATABASE_RANDOM_PAGE_COST on the database, so the demo and a
    deployment get the SSD setting docs/scaling.md asks for (new sessions see it)."""
    import psycopg
    from sqlalchemy import make_url

    url = make_url(app.config["DATABASE_OWNER_URL"]).set(drivername="postgresql")
    conninfo = url.render_as_string(hide_password=False)

    def cost() -> str:
        with psycopg.connect(conninfo) as conn:
            return str(conn.execute("SHOW random_page_cost").fetchone()[0])

    before = cost()
    app.config["DATABASE_RANDOM_PAGE_COST"] = 1.3
    try:
        result = app.test_cli_runner().invoke(args=["db", "ensure"])
        assert result.exit_code == 0, result.output
        assert "random_page_cost 1.3" in result.output
        assert cost() == "1.3"
    finally:
        app.config["DATABASE_RANDOM_PAGE_COST"] = None
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{url.database}" RESET random_page_cost')
    assert cost() == before
