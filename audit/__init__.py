"""Audit: recording one event per call (fail closed), and later tamper evidence and queries."""
