"""The HTTP API (``tasktrail api``): oVirt's REST API under ``/ovirt-engine/api`` for oVirt's
own clients, tasktrail's JSON API under ``/api/v1``, ``/metrics`` and ``/health``.

``app`` builds the ASGI application on a runtime; ``reading`` is the one module that reads
the read model's tables; ``ovirt`` maps views to oVirt's types, ``v1`` serves them as JSON.
"""
