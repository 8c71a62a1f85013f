"""The spyne edge: SOAP models and service classes only. Domain logic lives outside and never
imports spyne; each operation here converts its input, calls the domain, converts the result."""
