"""The managed world as it stands: VMs, disks and storage pools (``vm list``, ``disk list``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tasktrail.projections.queries import fetch_all
from tasktrail.projections.read_model import ReadModel

Row = dict[str, Any]


def vms(model: ReadModel) -> list[Row]:
    """Every VM not removed, with its disk count and pool name, oldest first."""
    v, d, p = model.tables.tt_vm, model.tables.tt_disk, model.tables.tt_storage_pool
    disks = sa.select(sa.func.count()).where(d.c.vm_guid == v.c.vm_guid).scalar_subquery()
    query = (
        sa.select(
            v.c.vm_guid.label("vm_id"),
            v.c.vm_name.label("name"),
            v.c.status,
            disks.label("disks"),
            p.c.name.label("pool"),
            v.c.creation_date.label("created"),
            v.c.storage_pool_id,
        )
        .select_from(v.outerjoin(p, p.c.id == v.c.storage_pool_id))
        .order_by(v.c.creation_date)
    )
    return fetch_all(model, query)


def disks(model: ReadModel, vm_id: Any = None) -> list[Row]:
    """Every disk not removed (of one VM), ILLEGAL ones too, with its VM's name."""
    d, v = model.tables.tt_disk, model.tables.tt_vm
    query = (
        sa.select(
            d.c.image_guid.label("disk_id"),
            d.c.disk_alias.label("alias"),
            d.c.imagestatus.label("status"),
            d.c.vm_guid.label("vm_id"),
            v.c.vm_name.label("vm_name"),
            d.c.size_gb,
            d.c.last_update,
            d.c.storage_pool_id,
        )
        .select_from(d.outerjoin(v, v.c.vm_guid == d.c.vm_guid))
        .order_by(d.c.disk_alias)
    )
    if vm_id is not None:
        query = query.where(d.c.vm_guid == vm_id)
    return fetch_all(model, query)


def pools(model: ReadModel) -> list[Row]:
    """Every storage pool (oVirt's Data Center) with how many VMs and disks it holds."""
    p, v, d = model.tables.tt_storage_pool, model.tables.tt_vm, model.tables.tt_disk
    count_vms = sa.select(sa.func.count()).where(v.c.storage_pool_id == p.c.id)
    count_disks = sa.select(sa.func.count()).where(d.c.storage_pool_id == p.c.id)
    query = sa.select(
        p.c.id.label("pool_id"),
        p.c.name,
        p.c.status,
        count_vms.scalar_subquery().label("vms"),
        count_disks.scalar_subquery().label("disks"),
    ).order_by(p.c.name)
    return fetch_all(model, query)
