"""Tests of provider.registry.civil_status_certificates."""
