"""The task manager: oVirt's command framework as services over a unit of work and ports.

Run an action (validate, take locks), execute it (job, steps, transactions, children, storage
tasks), record what the storage reports, evaluate callbacks, run end actions, compensate. Each
service works on the aggregates a ``UnitOfWork`` hands it and on the ``Ports`` it is given;
which transaction commits what, and when, is the runner's business.
"""
