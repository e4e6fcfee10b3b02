"""Stores pydantic events as JSON: pydantic rebuilds UUIDs, aware datetimes, enums and models.

Events whose ``class_version`` is above 1 store it, and older stored events are upgraded on
read by the class's ``upcast_vN_vN+1`` static methods, as eventsourcing's own mapper does.
"""

from __future__ import annotations

import json
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import ValidationError

from domain.events import DomainEvent

_POSITION = {"originator_id", "originator_version"}


class PydanticMapper(Mapper[UUID]):
    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        event = cast(DomainEvent, domain_event)
        if event.class_version == 1:
            state = event.model_dump_json(exclude=_POSITION).encode()
        else:
            body = event.model_dump(mode="json", exclude=_POSITION)
            body["class_version"] = event.class_version
            state = json.dumps(body).encode()
        return StoredEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=get_topic(type(event)),
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        cls: type[DomainEvent] = resolve_topic(stored_event.topic)
        body: dict[str, Any] = json.loads(stored_event.state)
        from_version = body.pop("class_version", 1)
        while from_version < cls.class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(body)
            from_version += 1
        body["originator_id"] = stored_event.originator_id
        body["originator_version"] = stored_event.originator_version
        try:
            return cast(DomainEventProtocol[UUID], cls.model_validate(body))
        except ValidationError as error:
            raise MapperDeserialisationError(
                f"stored event {stored_event.topic} of {stored_event.originator_id} "
                f"v{stored_event.originator_version} does not fit its class: {error}"
            ) from error
