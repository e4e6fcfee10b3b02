"""Stores pydantic events as JSON and reads them back through the allow-list of topics.

A stored event's topic is looked up in ``domain.model.registry`` and nowhere else, so nothing
read from storage is ever imported by name. Events whose ``class_version`` is above 1 store it,
and older stored events are upgraded on read by the class's ``upcast_vN_vN+1`` static methods,
as eventsourcing's own mapper does. Events written by version 0.1 (module-path topics, no
``originator_topic`` on creation events, states and events since retired) are read as
today's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent
from pydantic import ValidationError

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.registry import EVENT_TOPICS, RETIRED_STATES

_POSITION = {"originator_id", "originator_version"}


class UnknownTopicError(MapperDeserialisationError):
    """A stored event whose topic is not one of tasktrail's own event classes."""


Topics = Mapping[str, type[StateMachineAggregate.Event]]


class PydanticMapper(Mapper[UUID]):
    topics: Topics = EVENT_TOPICS
    """The event classes this mapper decodes, by topic (an allow-list)."""

    def event_class(self, topic: str) -> type[StateMachineAggregate.Event]:
        try:
            return self.topics[topic]
        except KeyError:
            raise UnknownTopicError(f"{topic!r} is not a tasktrail event") from None

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        event = cast(StateMachineAggregate.Event, domain_event)
        if event.class_version == 1:
            state = event.model_dump_json(exclude=_POSITION).encode()
        else:
            body = event.model_dump(mode="json", exclude=_POSITION)
            body["class_version"] = event.class_version
            state = json.dumps(body).encode()
        return StoredEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=type(event).TOPIC,
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        cls = self.event_class(stored_event.topic)
        body = _upcast(cls, json.loads(stored_event.state))
        body["originator_id"] = stored_event.originator_id
        body["originator_version"] = stored_event.originator_version
        try:
            return cast(DomainEventProtocol[UUID], cls.model_validate(body))
        except ValidationError as error:
            raise MapperDeserialisationError(
                f"stored event {stored_event.topic} of {stored_event.originator_id} "
                f"v{stored_event.originator_version} does not fit its class: {error}"
            ) from error


def _upcast(cls: type[StateMachineAggregate.Event], body: dict[str, Any]) -> dict[str, Any]:
    from_version = body.pop("class_version", 1)
    while from_version < cls.class_version:
        getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(body)
        from_version += 1
    aggregate = cls.TOPIC.partition(".")[0]
    if issubclass(cls, StateMachineAggregate.Created) and "originator_topic" not in body:
        body["originator_topic"] = aggregate
    retired = RETIRED_STATES.get(aggregate, {})
    for field in ("from_state", "to_state"):
        state = body.get(field)
        if isinstance(state, str) and state in retired:
            body[field] = retired[state]
    return body
