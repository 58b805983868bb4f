"""Responsibility: bulk reassignment and "who was responsible on day D"."""
