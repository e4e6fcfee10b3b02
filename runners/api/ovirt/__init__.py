"""oVirt's REST API (version 4) under ``/ovirt-engine/api``, for the SDK, Ansible and curl."""
