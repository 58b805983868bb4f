"""The collector's day: the published route, the offline pack, visits, delta sync and SMS
reminders."""
