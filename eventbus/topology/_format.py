"""eventbus's own topology format: queues, topics, buses, functions and schedules in one short file.

A topology file (YAML or JSON) has up to five sections, each a mapping from a resource's name to its
settings. Names are the AWS resource names, and unique across sections (they are the logical ids
``Topology.resources`` is keyed by). Every key is optional unless marked; an empty entry (``{}`` or
nothing) takes AWS's defaults::

    queues:
      orders: {visibility_timeout: 30, dead_letter: orders-dlq, max_receive_count: 3}
      orders-dlq: {}
      payments.fifo: {content_based_deduplication: true}      # .fifo names are FIFO queues
    topics:
      order-events:
        subscriptions:
          - {queue: orders, filter_policy: {kind: [placed]}, raw: true}
          - {function: audit}
    buses:
      shop:
        archives: {all-orders: {pattern: {source: [shop]}, retention_days: 7}}
        rules:
          big-orders:
            pattern: {source: [shop], detail: {total: [{numeric: [">", 100]}]}}
            targets:
              - queue: orders
                input_transformer: {paths: {id: $.detail.id}, template: '{"id": <id>}'}
                retry: {attempts: 3, max_age: 3600}
                dead_letter: orders-dlq
              - {function: audit}
      default:                       # the account's default bus: not created, it always exists
        rules:
          nightly: {schedule: "cron(0 2 * * ? *)", targets: [{function: report}]}
    functions:
      audit: {handler: "shop.handlers:audit", timeout: 10}
      report: {handler: "shop.handlers:report"}
      worker: {handler: "shop.handlers:work", sqs: {queue: orders, batch_size: 5, report_batch_item_failures: true}}
    schedules:
      hourly: {expression: "rate(1 hour)", target: {function: report}, timezone: UTC}

Sections:

* ``queues``: SQS queues; the keys are the keyword arguments of ``sim.sqs.create_queue``
  (``visibility_timeout``, ``delay_seconds``, ``retention_period``, ``maximum_message_size``,
  ``receive_wait_time``, ``dead_letter`` and ``max_receive_count`` (the RedrivePolicy),
  ``redrive_allow`` (``allowAll``, ``denyAll`` or a list of queues), ``fifo``,
  ``content_based_deduplication``, ``deduplication_scope``, ``fifo_throughput_limit``, ``tags``).
* ``topics``: SNS topics (``fifo``, ``content_based_deduplication``, ``display_name``, ``tags``) and
  their ``subscriptions``: an endpoint (``queue:``, ``function:``, a raw ``arn:``, or any ``endpoint:``
  SNS takes, with ``protocol:`` when the endpoint does not tell it), ``filter_policy``,
  ``filter_policy_scope`` (``MessageAttributes`` or ``MessageBody``), ``raw`` (RawMessageDelivery) and
  ``dead_letter`` (the subscription's redrive queue).
* ``buses``: EventBridge buses with their ``rules`` and ``archives``. A rule has a ``pattern``, a
  ``schedule`` (``rate(...)``/``cron(...)``; AWS allows these on the ``default`` bus only), or both;
  ``state``, ``description`` and up to five ``targets``. A bus named ``default`` is the account's
  default bus, which is configured, not created.
* ``functions``: Lambda functions whose ``handler`` is a Python ``module:function`` imported from the
  topology file's directory; ``timeout``, ``memory``, ``reserved_concurrency``, ``description``; ``sqs``
  (one or a list of event source mappings: ``queue``, ``batch_size``, ``batching_window``,
  ``report_batch_item_failures``, ``max_concurrency``, ``filters``, ``enabled``); ``retry``,
  ``on_success``, ``on_failure`` and ``dead_letter`` for asynchronous invocations.
* ``schedules``: EventBridge Scheduler schedules: ``expression`` (``at()``, ``rate()``, ``cron()``),
  ``target``, ``timezone``, ``group`` (created when it does not exist), ``flexible_window`` (minutes),
  ``retry``, ``dead_letter``, ``start``, ``end``, ``state``, ``description``,
  ``action_after_completion``.

A target or endpoint names a resource of the file (or one already in the simulation) by its kind,
``{queue: orders}``, ``{topic: order-events}``, ``{bus: shop}``, ``{function: audit}``, or gives any
ARN, ``{arn: "arn:aws:sqs:us-east-1:123456789012:elsewhere"}``. ``retry`` is
``{attempts: <MaximumRetryAttempts>, max_age: <MaximumEventAgeInSeconds>}``; an ``input_transformer``
is ``{paths: <InputPathsMap>, template: <InputTemplate>}``.

The whole format is described by the JSON schema ``eventbus/topology/schema.json`` (generated from the
classes below by :func:`schema`, and checked against it by a test); a ``$schema`` key pointing at it is
allowed so that editors validate and complete the file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import Meta

from ._errors import TopologyError
from ._yaml import Marked, MarkedList, line_of

__all__ = (
    "SECTIONS",
    "ArchiveSpec",
    "BusSpec",
    "EventbusFile",
    "FunctionSpec",
    "InputTransformerSpec",
    "QueueSpec",
    "RetrySpec",
    "RuleSpec",
    "RuleTargetSpec",
    "ScheduleSpec",
    "ScheduleTargetSpec",
    "SqsTriggerSpec",
    "SubscriptionSpec",
    "TargetRef",
    "TopicSpec",
    "TopologyFile",
    "parse_eventbus",
    "schema",
)

#: The sections of a file, in the order resources are built.
SECTIONS = ("queues", "topics", "buses", "functions", "schedules")
#: What each section holds, for messages.
SECTION_KIND = {
    "queues": "queue",
    "topics": "topic",
    "buses": "bus",
    "functions": "function",
    "schedules": "schedule",
}

Seconds = Annotated[int, Meta(ge=0, description="A duration in seconds.")]
JsonObject = Annotated[dict[str, Any], Meta(description="A JSON object.")]


class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True, omit_defaults=True):
    pass


class RetrySpec(_Strict, frozen=True):
    """A retry policy: how often and for how long a failed delivery is tried again."""

    attempts: Annotated[int, Meta(ge=0, le=185, description="MaximumRetryAttempts.")] | None = None
    max_age: Annotated[int, Meta(ge=60, le=86400, description="MaximumEventAgeInSeconds.")] | None = None


class TargetRef(_Strict, frozen=True):
    """Where something is delivered: exactly one of a resource of the file by kind, or an ARN."""

    queue: (
        Annotated[str, Meta(description="An SQS queue of the file (or the simulation), by name.")] | None
    ) = None
    topic: Annotated[str, Meta(description="An SNS topic, by name.")] | None = None
    bus: Annotated[str, Meta(description="An EventBridge bus, by name.")] | None = None
    function: Annotated[str, Meta(description="A function of the file, by name.")] | None = None
    arn: Annotated[str, Meta(description="Any resource, by ARN.")] | None = None

    def reference(self) -> tuple[str, str] | None:
        """``(kind, name)`` of the one destination given, or None when not exactly one is."""
        given = [(kind, value) for kind, value in self._kinds() if value is not None]
        return given[0] if len(given) == 1 else None

    def _kinds(self) -> Iterator[tuple[str, str | None]]:
        yield "queue", self.queue
        yield "topic", self.topic
        yield "bus", self.bus
        yield "function", self.function
        yield "arn", self.arn


class InputTransformerSpec(_Strict, frozen=True):
    """An EventBridge input transformer."""

    template: Annotated[str, Meta(description="InputTemplate, with <name> placeholders.")]
    paths: Annotated[
        dict[str, str], Meta(description="InputPathsMap: names to JSON paths in the event.")
    ] = {}


class RuleTargetSpec(TargetRef, frozen=True):
    """A rule target: the destination and how events reach it."""

    id: Annotated[str, Meta(description="The target's Id (default: from the destination's name).")] | None = (
        None
    )
    input: Annotated[Any, Meta(description="Input: constant JSON passed instead of the event.")] = None
    input_path: Annotated[str, Meta(description="InputPath, e.g. $.detail.")] | None = None
    input_transformer: InputTransformerSpec | None = None
    retry: RetrySpec | None = None
    dead_letter: Annotated[str, Meta(description="The dead-letter queue (name or ARN).")] | None = None
    message_group_id: (
        Annotated[str, Meta(description="SqsParameters.MessageGroupId for a FIFO queue.")] | None
    ) = None


class RuleSpec(_Strict, frozen=True):
    """An EventBridge rule: a pattern and/or a schedule, and its targets."""

    pattern: JsonObject | None = None
    schedule: Annotated[str, Meta(description="rate(...) or cron(...); on the default bus only.")] | None = (
        None
    )
    state: Literal["ENABLED", "DISABLED"] | None = None
    description: str | None = None
    targets: list[RuleTargetSpec] = []


class ArchiveSpec(_Strict, frozen=True):
    """An EventBridge archive of a bus's events."""

    pattern: JsonObject | None = None
    retention_days: Annotated[int, Meta(ge=0, description="0 keeps events forever.")] = 0
    description: str | None = None


class BusSpec(_Strict, frozen=True):
    """An EventBridge event bus (``default`` is the account's default bus)."""

    description: str | None = None
    tags: dict[str, str] = {}
    rules: dict[str, RuleSpec | None] = {}
    archives: dict[str, ArchiveSpec | None] = {}


class QueueSpec(_Strict, frozen=True):
    """An SQS queue (names ending in ``.fifo`` are FIFO queues)."""

    visibility_timeout: Annotated[int, Meta(ge=0, le=43200)] | None = None
    delay_seconds: Annotated[int, Meta(ge=0, le=900)] | None = None
    retention_period: (
        Annotated[int, Meta(ge=60, le=1209600, description="MessageRetentionPeriod.")] | None
    ) = None
    maximum_message_size: Annotated[int, Meta(ge=1024, le=1048576)] | None = None
    receive_wait_time: (
        Annotated[int, Meta(ge=0, le=20, description="ReceiveMessageWaitTimeSeconds.")] | None
    ) = None
    dead_letter: Annotated[str, Meta(description="The dead-letter queue (name or ARN).")] | None = None
    max_receive_count: Annotated[int, Meta(ge=1, le=1000)] | None = None
    redrive_allow: Literal["allowAll", "denyAll"] | list[str] | None = None
    fifo: bool | None = None
    content_based_deduplication: bool | None = None
    deduplication_scope: Literal["messageGroup", "queue"] | None = None
    fifo_throughput_limit: Literal["perQueue", "perMessageGroupId"] | None = None
    tags: dict[str, str] = {}


class SubscriptionSpec(_Strict, frozen=True):
    """An SNS subscription: its endpoint (exactly one of queue, function, arn, endpoint), filter policy
    and delivery options."""

    queue: (
        Annotated[str, Meta(description="An SQS queue of the file (or the simulation), by name.")] | None
    ) = None
    function: Annotated[str, Meta(description="A function of the file, by name.")] | None = None
    arn: Annotated[str, Meta(description="A queue or function, by ARN.")] | None = None
    endpoint: (
        Annotated[str, Meta(description="Any endpoint SNS takes: an https:// URL, an email address ...")]
        | None
    ) = None
    protocol: Annotated[str, Meta(description="The protocol, when the endpoint does not tell it.")] | None = (
        None
    )
    filter_policy: JsonObject | None = None
    filter_policy_scope: Literal["MessageAttributes", "MessageBody"] | None = None
    raw: Annotated[bool, Meta(description="RawMessageDelivery.")] = False
    dead_letter: (
        Annotated[str, Meta(description="The subscription's redrive queue (name or ARN).")] | None
    ) = None

    def reference(self) -> tuple[str, str] | None:
        kinds = (
            ("queue", self.queue),
            ("function", self.function),
            ("arn", self.arn),
            ("endpoint", self.endpoint),
        )
        given = [(kind, value) for kind, value in kinds if value]
        return given[0] if len(given) == 1 else None


class TopicSpec(_Strict, frozen=True):
    """An SNS topic (names ending in ``.fifo`` are FIFO topics) and its subscriptions."""

    fifo: bool | None = None
    content_based_deduplication: bool | None = None
    display_name: str | None = None
    tags: dict[str, str] = {}
    subscriptions: list[SubscriptionSpec] = []


class SqsTriggerSpec(_Strict, frozen=True):
    """An SQS event source mapping: the function polls the queue."""

    queue: str
    batch_size: Annotated[int, Meta(ge=1, le=10000)] | None = None
    batching_window: (
        Annotated[int, Meta(ge=0, le=300, description="MaximumBatchingWindowInSeconds.")] | None
    ) = None
    report_batch_item_failures: bool = False
    max_concurrency: Annotated[int, Meta(ge=2, le=1000)] | None = None
    filters: Annotated[list[JsonObject], Meta(description="FilterCriteria patterns.")] | None = None
    enabled: bool = True


class FunctionSpec(_Strict, frozen=True):
    """A Lambda function whose handler is Python code, ``module:function``."""

    handler: Annotated[str, Meta(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$", description="module:function")]
    timeout: Annotated[int, Meta(ge=1, le=900)] | None = None
    memory: Annotated[int, Meta(ge=128, le=10240)] | None = None
    reserved_concurrency: Annotated[int, Meta(ge=0)] | None = None
    description: str | None = None
    sqs: SqsTriggerSpec | list[SqsTriggerSpec] | None = None
    retry: RetrySpec | None = None
    on_success: TargetRef | None = None
    on_failure: TargetRef | None = None
    dead_letter: (
        Annotated[str, Meta(description="The legacy asynchronous-invocation DLQ (queue name or ARN).")] | None
    ) = None

    def triggers(self) -> list[SqsTriggerSpec]:
        if self.sqs is None:
            return []
        return list(self.sqs) if isinstance(self.sqs, list) else [self.sqs]


class ScheduleTargetSpec(TargetRef, frozen=True):
    """A schedule's target and what it receives."""

    input: Annotated[Any, Meta(description="Input: text, or JSON serialised for you.")] = None
    message_group_id: str | None = None
    detail_type: Annotated[str, Meta(description="EventBridgeParameters.DetailType for a bus.")] | None = None
    source: Annotated[str, Meta(description="EventBridgeParameters.Source for a bus.")] | None = None


class ScheduleSpec(_Strict, frozen=True):
    """An EventBridge Scheduler schedule."""

    expression: Annotated[str, Meta(description="at(...), rate(...) or cron(...).")]
    target: ScheduleTargetSpec
    timezone: str | None = None
    group: str | None = None
    flexible_window: Annotated[int, Meta(ge=1, le=1440, description="Minutes.")] | None = None
    retry: RetrySpec | None = None
    dead_letter: str | None = None
    start: str | None = None
    end: str | None = None
    state: Literal["ENABLED", "DISABLED"] = "ENABLED"
    description: str | None = None
    action_after_completion: Literal["NONE", "DELETE"] = "NONE"


class TopologyFile(_Strict, frozen=True):
    """An eventbus topology file."""

    schema_: str | None = msgspec.field(default=None, name="$schema")
    description: str | None = None
    queues: dict[str, QueueSpec | None] | None = None
    topics: dict[str, TopicSpec | None] | None = None
    buses: dict[str, BusSpec | None] | None = None
    functions: dict[str, FunctionSpec] | None = None
    schedules: dict[str, ScheduleSpec] | None = None


class EventbusFile(msgspec.Struct, frozen=True, kw_only=True):
    """A validated file: every entry decoded, in file order, with the data it came from."""

    root: Any
    file: str
    queues: dict[str, QueueSpec]
    topics: dict[str, TopicSpec]
    buses: dict[str, BusSpec]
    functions: dict[str, FunctionSpec]
    schedules: dict[str, ScheduleSpec]

    def line(self, *path: Any) -> int | None:
        """The line of ``path`` in the file (e.g. ``("queues", "orders", "dead_letter")``)."""
        return line_of(self.root, path)


_TARGET_KINDS = ("queue", "topic", "bus", "function", "arn")


def schema() -> dict[str, Any]:
    """The JSON schema of the format (what ``schema.json`` holds)."""
    generated: dict[str, Any] = msgspec.json.schema(TopologyFile)
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "eventbus topology",
        "description": "Queues, topics, buses, functions and schedules for the eventbus simulator.",
    }
    defs = generated.get("$defs", {})
    root = defs.pop("TopologyFile")
    out.update({key: value for key, value in root.items() if key not in ("title", "description")})
    # What the types cannot say: exactly one destination; a rule needs a pattern or a schedule.
    for name, kinds in (
        ("TargetRef", _TARGET_KINDS),
        ("RuleTargetSpec", _TARGET_KINDS),
        ("ScheduleTargetSpec", _TARGET_KINDS),
        ("SubscriptionSpec", ("queue", "function", "arn", "endpoint")),
    ):
        defs[name]["oneOf"] = [
            {"required": [kind], "properties": {kind: {"type": "string"}}} for kind in kinds
        ]
    defs["RuleSpec"]["anyOf"] = [{"required": ["pattern"]}, {"required": ["schedule"]}]
    out["$defs"] = defs
    return out


# ------------------------------------------------------------------ validation
_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[\.\.\.\]")
_T = TypeVar("_T")
_TYPE_WORDS = {
    "str": "a string",
    "int": "an integer",
    "bool": "true or false",
    "float": "a number",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing",
}


def _parse_path(text: str) -> list[str | int]:
    parts: list[str | int] = []
    for match in _PATH_PART.finditer(text):
        if match.group(1) is not None:
            parts.append(match.group(1))
        elif match.group(2) is not None:
            parts.append(int(match.group(2)))
    return parts


def _known_fields(kind: type[msgspec.Struct], path: list[str | int]) -> list[str]:
    """The field names of the struct ``path`` leads to from ``kind`` (for "did you mean")."""
    current: Any = kind
    for part in path:
        if isinstance(part, int):
            continue
        fields = (
            {f.encode_name: f.type for f in msgspec.structs.fields(current)} if _is_struct(current) else {}
        )
        nxt = fields.get(part)
        if nxt is None:
            return []
        current = _struct_in(nxt)
        if current is None:
            return []
    return [f.encode_name for f in msgspec.structs.fields(current)] if _is_struct(current) else []


def _is_struct(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, msgspec.Struct)


def _struct_in(annotation: Any) -> Any:
    """The Struct class inside an annotation such as ``X | list[X] | None``."""
    if _is_struct(annotation):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _struct_in(arg)
        if found is not None:
            return found
    return None


def _describe(message: str) -> str:
    text = message.split(" - at `", 1)[0]
    text = text.replace(" | null", "").replace("`", "'")
    for word, phrase in _TYPE_WORDS.items():
        text = text.replace(f"'{word}'", phrase)
    return text


def _decode(value: Any, kind: type[_T], *, root: Any, path: tuple[Any, ...], file: str, resource: str) -> _T:
    """Decode one entry, turning msgspec's message and path into a line and a plain sentence."""
    try:
        return msgspec.convert(value, kind, str_keys=True)
    except msgspec.ValidationError as error:
        message = str(error)
        where = message.rsplit(" - at `", 1)[1].rstrip("`") if " - at `" in message else "$"
        inner = _parse_path(where)
        full = list(path) + inner
        reason = _describe(message)
        unknown = re.match(r"Object contains unknown field '([^']*)'", reason)
        if unknown is not None:
            name = unknown.group(1)
            full.append(name)
            allowed = _known_fields(kind, inner)  # type: ignore[arg-type]
            close = difflib.get_close_matches(name, allowed, n=1)
            reason = f"unknown key '{name}'"
            if close:
                reason += f" (did you mean '{close[0]}'?)"
            elif allowed:
                reason += f"; allowed keys: {', '.join(allowed)}"
        elif inner and inner[-1] == "handler":
            reason = f"handler must be 'module:function' (e.g. 'shop.handlers:audit'), got {value.get('handler')!r}"
        elif inner:
            reason = f"{'.'.join(str(p) for p in inner if not isinstance(p, int))}: {reason[0].lower()}{reason[1:]}"
        raise TopologyError(reason, file=file, line=line_of(root, full), resource=resource) from None


def _entries(section: Any) -> list[tuple[Any, Any]]:
    if section is None:
        return []
    return list(section.items())


def parse_eventbus(root: Any, file: str) -> EventbusFile:
    """Validate a file in eventbus's format and decode its entries.

    Raises:
        TopologyError: the first problem, with its line: an unknown section or key (with the closest
            known one), a value of the wrong type or out of range, a name used twice, a target that
            does not name exactly one destination, a schedule rule on a custom bus.
    """
    if not isinstance(root, Mapping):
        raise TopologyError(
            "a topology file must be a mapping of sections (queues, topics, buses, functions, schedules)",
            file=file,
            line=getattr(root, "line", None),
        )
    for key in root:
        if key not in ("$schema", "description", *SECTIONS):
            close = difflib.get_close_matches(str(key), SECTIONS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f"; the sections are {', '.join(SECTIONS)}"
            line = root.line_for(key) if isinstance(root, Marked) else None
            raise TopologyError(f"unknown section '{key}'{hint}", file=file, line=line)
        if key in SECTIONS and root[key] is not None and not isinstance(root[key], Mapping):
            line = root.line_for(key) if isinstance(root, Marked) else None
            raise TopologyError(
                f"section '{key}' must be a mapping from names to settings", file=file, line=line
            )

    seen: dict[str, str] = {}

    def claim(section: str, name: Any) -> str:
        kind = SECTION_KIND[section]
        if not isinstance(name, str) or not name:
            raise TopologyError(
                f"{kind} names must be non-empty strings, got {name!r}",
                file=file,
                line=line_of(root, (section, name)),
            )
        if name in seen:
            raise TopologyError(
                f"the name '{name}' is used by a {seen[name]} and a {kind}; names are unique across sections "
                "(they are the keys of Topology.resources)",
                file=file,
                line=line_of(root, (section, name)),
                resource=f"{kind} '{name}'",
            )
        seen[name] = kind
        return f"{kind} '{name}'"

    def entry(section: str, kind: type[_T], name: Any, value: Any) -> _T:
        resource = claim(section, name)
        return _decode(
            {} if value is None else value,
            kind,
            root=root,
            path=(section, name),
            file=file,
            resource=resource,
        )

    def bus_entry(name: Any, value: Any) -> BusSpec:
        # Rules and archives are decoded one by one first, so that a message names the rule
        # (msgspec's paths say "[...]" for mapping keys).
        if isinstance(value, Mapping):
            for sub, kind in (("rules", RuleSpec), ("archives", ArchiveSpec)):
                items = value.get(sub)
                if isinstance(items, Mapping):
                    for key, item in items.items():
                        _decode(
                            {} if item is None else item,
                            kind,
                            root=root,
                            path=("buses", name, sub, key),
                            file=file,
                            resource=f"{sub[:-1]} '{key}' on bus '{name}'",
                        )
        return entry("buses", BusSpec, name, value)

    queues = {n: entry("queues", QueueSpec, n, v) for n, v in _entries(root.get("queues"))}
    topics = {n: entry("topics", TopicSpec, n, v) for n, v in _entries(root.get("topics"))}
    buses = {n: bus_entry(n, v) for n, v in _entries(root.get("buses"))}
    functions = {n: entry("functions", FunctionSpec, n, v) for n, v in _entries(root.get("functions"))}
    schedules = {n: entry("schedules", ScheduleSpec, n, v) for n, v in _entries(root.get("schedules"))}
    parsed = EventbusFile(
        root=root,
        file=file,
        queues=queues,
        topics=topics,
        buses=buses,
        functions=functions,
        schedules=schedules,
    )
    _check_references(parsed)
    return parsed


def _check_references(parsed: EventbusFile) -> None:
    """The rules a type cannot say: one destination per target, schedules on the default bus."""
    file = parsed.file

    def one(
        ref: TargetRef | SubscriptionSpec | None, path: tuple[Any, ...], resource: str, kinds: str
    ) -> None:
        if ref is not None and ref.reference() is None:
            label = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[-2:]).lstrip(".")
            raise TopologyError(
                f"{label}: give exactly one of {kinds}",
                file=file,
                line=parsed.line(*path),
                resource=resource,
            )

    all_kinds = "queue, topic, bus, function, arn"
    for topic_name, topic in parsed.topics.items():
        for index, subscription in enumerate(topic.subscriptions):
            one(
                subscription,
                ("topics", topic_name, "subscriptions", index),
                f"topic '{topic_name}'",
                "queue, function, arn, endpoint",
            )
    for bus_name, bus in parsed.buses.items():
        for rule_name, rule in bus.rules.items():
            resource = f"rule '{rule_name}' on bus '{bus_name}'"
            path = ("buses", bus_name, "rules", rule_name)
            if rule is None or (rule.pattern is None and rule.schedule is None):
                raise TopologyError(
                    "a rule needs a pattern, a schedule or both",
                    file=file,
                    line=parsed.line(*path),
                    resource=resource,
                )
            if rule.schedule is not None and bus_name != "default":
                raise TopologyError(
                    "a schedule rule must be on the default bus (EventBridge: ScheduleExpression is supported only on "
                    "the default event bus); put it under buses.default.rules, or use the schedules section (Scheduler)",
                    file=file,
                    line=parsed.line(*path, "schedule"),
                    resource=resource,
                )
            if len(rule.targets) > 5:
                raise TopologyError(
                    "a rule has at most 5 targets",
                    file=file,
                    line=parsed.line(*path, "targets"),
                    resource=resource,
                )
            for index, target in enumerate(rule.targets):
                one(target, (*path, "targets", index), resource, all_kinds)
    for name, function in parsed.functions.items():
        resource = f"function '{name}'"
        one(function.on_success, ("functions", name, "on_success"), resource, all_kinds)
        one(function.on_failure, ("functions", name, "on_failure"), resource, all_kinds)
    for name, schedule in parsed.schedules.items():
        one(schedule.target, ("schedules", name, "target"), f"schedule '{name}'", all_kinds)


def is_marked(value: Any) -> bool:
    """Whether ``value`` came from a file with line numbers."""
    return isinstance(value, Marked | MarkedList) and value.line is not None
