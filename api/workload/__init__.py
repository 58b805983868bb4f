"""Workload per collector and balanced-territory suggestions."""
