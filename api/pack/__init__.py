"""The collector's offline route pack: the whole published day in one cacheable response.

``GET /api/me/route/pack?date=YYYY-MM-DD&crs=wgs84|gcj02|bd09``: ordered stops with ETAs,
customer, address, phone, amount due with the late fee per bill, escalation stage, visit
history, the explain numbers, coordinates in the phone map's system, Amap and ``geo:``
navigation links, the route as GeoJSON (WGS-84, RFC 7946) plus converted coordinates, the
collector's cash in hand, ``generated_at``, a content hash and an ETag (304 on a match).

The pack is built by ``core.field.pack`` (links and conversions: ``geo.navigation``).
"""
