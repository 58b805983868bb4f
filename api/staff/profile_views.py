"""A collector's profile and absences (supervisors of their station and admins set them;
a collector reads their own)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE

from api.auth.jwt import current_scope
from api.db import get_session
from api.smorest import Blueprint
from api.staff.profile_schemas import AbsenceListArgs, AbsenceSchema, ProfilePatch, ProfileSchema
from core.errors import NotFound
from core.users import profiles

blp = Blueprint(
    "profiles", __name__, url_prefix="/api/users", description="Collector profiles and absences"
)
_USER = "/<int(max=2147483647):user_id>"


@blp.route(f"{_USER}/profile")
class Profile(MethodView):
    @jwt_required()
    @blp.response(200, ProfileSchema)
    def get(self, user_id: int) -> Any:
        """The collector's start and end place, shift and lunch, travel mode, skills, cap."""
        user = profiles.collector_in_scope(get_session(), current_scope(), user_id, write=False)
        if user.profile is None:
            raise NotFound("profile")
        return user.profile

    @jwt_required()
    @blp.arguments(ProfilePatch)
    @blp.response(200, ProfileSchema)
    def patch(self, body: dict[str, Any], user_id: int) -> Any:
        """Change some of the collector's profile (the planner reads it from the next plan)."""
        session = get_session()
        user = profiles.collector_in_scope(session, current_scope(), user_id, write=True)
        prof = profiles.update_profile(session, user, body)
        session.commit()
        return prof


@blp.route(f"{_USER}/absences")
class Absences(MethodView):
    @jwt_required()
    @blp.arguments(AbsenceListArgs, location="query", unknown=RAISE)
    @blp.response(200, AbsenceSchema(many=True))
    def get(self, args: dict[str, Any], user_id: int) -> Any:
        """The collector's absences, by first day."""
        session = get_session()
        user = profiles.collector_in_scope(session, current_scope(), user_id, write=False)
        return profiles.absences_of(session, user.id, args.get("since"))

    @jwt_required()
    @blp.arguments(AbsenceSchema)
    @blp.response(201, AbsenceSchema)
    def post(self, body: dict[str, Any], user_id: int) -> Any:
        """Record an absence (leave, training, sick); overlapping another is refused."""
        session = get_session()
        scope = current_scope()
        user = profiles.collector_in_scope(session, scope, user_id, write=True)
        absence = profiles.add_absence(session, scope, user, body)
        session.commit()
        return absence


@blp.route(f"{_USER}/absences/<int(max=2147483647):absence_id>")
class AbsenceById(MethodView):
    @jwt_required()
    @blp.response(204)
    def delete(self, user_id: int, absence_id: int) -> None:
        """Remove an absence recorded by mistake."""
        session = get_session()
        user = profiles.collector_in_scope(session, current_scope(), user_id, write=True)
        profiles.remove_absence(session, user, absence_id)
        session.commit()
