"""The registry's parameter tables (service registryParameters): queries.py."""
