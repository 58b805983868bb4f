"""The web pages the app serves itself (the dashboard, the collector's app)."""
