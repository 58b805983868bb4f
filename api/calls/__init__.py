"""Calls ahead: the collector records an outcome; the plan lists whom to call first."""
