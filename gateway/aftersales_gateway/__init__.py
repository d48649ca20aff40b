"""The HTTP gateway: auth, tenancy, validation, OpenAPI, headquarters views."""
