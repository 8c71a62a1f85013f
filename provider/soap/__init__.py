"""The SOAP edge: the gateway and its per-call state, faults, metaservices, the contract export and the spyne services; the only package that imports spyne."""
