"""Municipal-registry certificates (service civilStatusCertificates): criteria.py the input rules,
queries.py the lookups, register.py the register of issued certificates."""
