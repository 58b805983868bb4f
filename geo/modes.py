"""How a collector travels: the modes the travel-time providers know.

It lives in ``geo`` (the lowest package that needs it); the models import it.
"""

from __future__ import annotations

import enum

__all__ = ["TravelMode"]


class TravelMode(enum.StrEnum):
    MOTORBIKE = "motorbike"
    CAR = "car"
    WALK = "walk"
