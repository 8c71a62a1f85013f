"""The XML protocol: hardened parsing, the SOAP envelope, WS-Security, auditRecord, signing, keys and
namespaces (lxml, signxml, cryptography; no database, no spyne)."""
