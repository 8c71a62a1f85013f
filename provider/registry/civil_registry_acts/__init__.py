"""Civil-registry acts (service civilRegistryActs): criteria.py holds the input rules, queries.py the
lookups and their frozen records."""
