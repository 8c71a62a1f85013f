"""Tests of provider.registry.civil_registry_acts."""
