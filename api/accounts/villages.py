"""The station's village gazetteer: list it, import it from CSV/.xlsx (accounts without
coordinates are then placed at their village's point, approximate)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from flask_smorest.fields import Upload
from geoalchemy2.shape import to_shape
from marshmallow import RAISE, Schema, fields
from sqlalchemy import select

from api.accounts.schemas import Id, RowErrorSchema
from api.accounts.views import blp
from api.auth.jwt import current_scope
from api.db import get_session
from api.ratelimit import rate_limit
from core.accounts import customers
from core.accounts.gazetteer import GAZETTEER_COLUMN_DOCS, import_gazetteer
from core.models import VillagePlace
from core.scope import restrict
from core.stations.open import require_open
from geo.coords import CoordSystem

_COLUMNS = "\n".join(f"- `{name}`: {text}" for name, text in GAZETTEER_COLUMN_DOCS.items())


class VillageArgs(Schema):
    class Meta:
        unknown = RAISE

    station_id = Id(load_default=None)


class VillageSchema(Schema):
    id = fields.Integer()
    station_id = fields.Integer()
    name = fields.String()
    township = fields.String()
    location = fields.Method("_location")

    def _location(self, place: Any) -> dict[str, float]:
        p = to_shape(place.location)
        return {"lon": p.x, "lat": p.y}


class GazetteerForm(Schema):
    file = Upload(required=True, metadata={"description": ".csv (UTF-8 or GB18030) or .xlsx"})
    station_id = Id(load_default=None)
    system = fields.Enum(CoordSystem, by_value=True, load_default=CoordSystem.WGS84)
    dry_run = fields.Boolean(
        load_default=True,
        metadata={"description": "Report what the import would do, write nothing (default)"},
    )


class GazetteerReportSchema(Schema):
    dry_run = fields.Boolean()
    rows = fields.Integer()
    created = fields.Integer()
    moved = fields.Integer(metadata={"description": "Known villages whose point changes"})
    unchanged = fields.Integer()
    error_count = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorSchema))


@blp.route("/villages")
class Villages(MethodView):
    @jwt_required()
    @blp.arguments(VillageArgs, location="query")
    @blp.response(200, VillageSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """The gazetteer of the stations in scope (or of ``station_id``), by township."""
        stmt = restrict(select(VillagePlace), VillagePlace, current_scope())
        if args["station_id"] is not None:
            stmt = stmt.where(VillagePlace.station_id == args["station_id"])
        order = (VillagePlace.station_id, VillagePlace.township, VillagePlace.name)
        return list(get_session().scalars(stmt.order_by(*order)))


@blp.route("/villages/import")
class VillagesImport(MethodView):
    @jwt_required()
    @blp.arguments(GazetteerForm, location="files", unknown=RAISE)
    @blp.response(200, GazetteerReportSchema)
    @blp.doc(
        description="The station's village gazetteer (a .csv or .xlsx whose first row names "
        "the columns). Keyed by (township, name): the same file again changes nothing, a "
        "moved point moves the village (accounts already placed keep theirs). A dry run "
        "(the default) writes nothing; the real run is all or nothing (422 with every "
        f"row's problems).\n\nColumns:\n\n{_COLUMNS}\n"
    )
    def post(self, form: dict[str, Any]) -> Any:
        """Import the village gazetteer: a dry run previews, the real run is all or nothing."""
        session = get_session()
        scope = current_scope()
        customers.require_manager(scope)
        rate_limit("import", scope.user_id)
        station = customers.scoped_station(session, scope, form["station_id"])
        require_open(station)
        upload = form["file"]
        report = import_gazetteer(
            session,
            station,
            upload.filename or "",
            upload.read(),
            form["system"],
            form["dry_run"],
        )
        session.commit()
        return asdict(report)
