"""The HTTP API's shapes, shared by the services (which load input and dump answers
through them) and the gateway (which documents them): one module per service, the
value fields and the page shape used by all."""
