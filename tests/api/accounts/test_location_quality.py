"""location_quality (exact | approximate) is one notion shown by every account output; the
card's field-fix verdict is location_check."""

from __future__ import annotations

import datetime as dt

from core.models import LocationQuality, Role


def _world(factory):
    station = factory.station()
    sup = factory.user(Role.SUPERVISOR, station)
    rough = factory.account(station, location_quality=LocationQuality.APPROXIMATE)
    exact = factory.account(station)
    for a in (rough, exact):
        factory.bill(a, dt.date(2026, 1, 1), "80.00", dt.date(2026, 2, 1))
    return sup, rough, exact


def test_account_geojson_ogc_and_card_show_location_quality(factory, client):
    """The account, the GeoJSON export, the OGC accounts items and the card's account say
    approximate for the village-placed account and exact for the other."""
    sup, rough, exact = _world(factory)
    headers = factory.token(sup, client)
    want = {rough.id: "approximate", exact.id: "exact"}
    for acc_id, quality in want.items():
        assert client.get(f"/api/accounts/{acc_id}", headers=headers).json[
            "location_quality"
        ] == quality
    fc = client.get("/api/accounts.geojson", headers=headers).json
    assert {f["id"]: f["properties"]["location_quality"] for f in fc["features"]} == want
    ogc = client.get("/api/ogc/collections/accounts/items", headers=headers).json
    assert {f["id"]: f["properties"]["location_quality"] for f in ogc["features"]} == want
    card = client.get(f"/api/accounts/{rough.id}/card", headers=headers).json
    assert card["account"]["location_quality"] == "approximate"
    assert "location_quality" not in card and card["location_check"]["status"]
