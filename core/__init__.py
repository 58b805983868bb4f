"""The domain, framework-free: models, money, planning, accounts, the collector's day.

See ``core/README.md``. Imports ``geo`` and ``routing``, never an HTTP framework.
"""
