"""tasktrail's own API under ``/api/v1``: JSON, described by an OpenAPI document."""
