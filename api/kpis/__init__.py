"""The supervisor's numbers over HTTP: /api/kpis/* (definitions: docs/kpis.md)."""
