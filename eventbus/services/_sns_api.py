"""The SNS API by its AWS operation names, for the boto3 facade: ``sim.sns.api.call(op, params)``.

Parameters and results are the input and output shapes of botocore's ``sns`` service model (API
version 2010-03-31), as a botocore client passes and receives them. Errors are
:class:`eventbus.errors.ServiceError` subclasses with SNS's codes (``InvalidParameter``,
``ParameterValueInvalid``, ``NotFound`` ...), messages and HTTP statuses.

Every text parameter is checked for characters XML cannot carry before anything else: SNS speaks the
query protocol, whose requests and responses are XML, and an error that echoed such a character would
make the response itself unreadable.

Operations follow the Amazon SNS API Reference (https://docs.aws.amazon.com/sns/latest/api/API_Operations.html).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ..arn import parse_arn
from ..errors import ServiceError, ValidationError
from ._sns_errors import (
    INVALID_XML_CHARACTER,
    SnsResourceNotFoundError,
    TagLimitExceededError,
    arn_error,
    invalid,
)
from ._sns_topic import Topic

if TYPE_CHECKING:
    from ._sns_service import SnsService

__all__ = ("SnsApi",)

Params = Mapping[str, Any]
Result = dict[str, Any]
T = TypeVar("T")

_PAGE: Final = 100
_MAX_TAGS: Final = 50
#: The actions AddPermission may grant (SNS's own operations on a topic).
_ACTIONS: Final = frozenset(
    {
        "AddPermission",
        "ConfirmSubscription",
        "DeleteTopic",
        "GetDataProtectionPolicy",
        "GetTopicAttributes",
        "ListSubscriptionsByTopic",
        "ListTagsForResource",
        "Publish",
        "PutDataProtectionPolicy",
        "RemovePermission",
        "SetTopicAttributes",
        "Subscribe",
        "TagResource",
        "UntagResource",
    }
)


def _check_text(value: Any, parameter: str) -> None:
    """Refuse XML-invalid characters anywhere in a parameter (see the module docstring)."""
    if isinstance(value, str):
        if INVALID_XML_CHARACTER.search(value) is not None:
            raise invalid(f"{parameter} Reason: contains characters that are not valid in XML")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_text(key, parameter)
            _check_text(item, parameter)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_text(item, parameter)


def _required(params: Params, name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise invalid(f"{name} Reason: no value for required parameter")
    return value


def _paginate(items: Sequence[T], token: str | None) -> tuple[list[T], str | None]:
    """One page of 100 and the token of the next (SNS pages ListTopics and ListSubscriptions by 100)."""
    start = 0
    if token:
        try:
            start = int(base64.b64decode(token.encode(), validate=True).decode().removeprefix("eventbus:"))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise invalid("NextToken") from None
        if start < 0:
            raise invalid("NextToken")
    end = start + _PAGE
    next_token = base64.b64encode(f"eventbus:{end}".encode()).decode() if end < len(items) else None
    return list(items[start:end]), next_token


def _tags(tags: Any) -> dict[str, str]:
    """``[{"Key": ..., "Value": ...}]`` as a dict; duplicated keys refused (AWS-validated text)."""
    out: dict[str, str] = {}
    for tag in tags or ():
        key = str(tag.get("Key", ""))
        if key in out:
            raise invalid("Duplicated keys are not allowed.")
        if not 1 <= len(key) <= 128 or len(str(tag.get("Value", ""))) > 256:
            raise invalid("Tags Reason: tag keys are 1 to 128 characters and values at most 256")  # (ours)
        out[key] = str(tag.get("Value", ""))
    return out


class SnsApi:
    """SNS's operations by name over a simulation's :class:`SnsService`.

    Example:
        >>> from eventbus import Simulation
        >>> api = Simulation().sns.api
        >>> api.call("CreateTopic", {"Name": "orders"})["TopicArn"]
        'arn:aws:sns:us-east-1:123456789012:orders'
    """

    def __init__(self, service: SnsService) -> None:
        self.service = service
        self._operations: dict[str, Callable[[Params], Result]] = {
            "CreateTopic": self._create_topic,
            "DeleteTopic": self._delete_topic,
            "GetTopicAttributes": self._get_topic_attributes,
            "SetTopicAttributes": self._set_topic_attributes,
            "ListTopics": self._list_topics,
            "Subscribe": self._subscribe,
            "ConfirmSubscription": self._confirm_subscription,
            "Unsubscribe": self._unsubscribe,
            "ListSubscriptions": self._list_subscriptions,
            "ListSubscriptionsByTopic": self._list_subscriptions_by_topic,
            "GetSubscriptionAttributes": self._get_subscription_attributes,
            "SetSubscriptionAttributes": self._set_subscription_attributes,
            "Publish": self._publish,
            "PublishBatch": self._publish_batch,
            "TagResource": self._tag_resource,
            "UntagResource": self._untag_resource,
            "ListTagsForResource": self._list_tags_for_resource,
            "AddPermission": self._add_permission,
            "RemovePermission": self._remove_permission,
            "GetDataProtectionPolicy": self._get_data_protection_policy,
            "PutDataProtectionPolicy": self._put_data_protection_policy,
        }

    @property
    def operations(self) -> tuple[str, ...]:
        """The operation names this layer serves."""
        return tuple(self._operations)

    def call(self, operation: str, params: Params) -> Result:
        """Run ``operation`` with ``params`` (its input shape) and return its output shape.

        Raises:
            ServiceError: the error SNS would return; ``InvalidAction`` for an operation this layer
                does not serve.
        """
        handler = self._operations.get(operation)
        if handler is None:
            raise ServiceError(f"The action {operation} is not valid for this endpoint.", code="InvalidAction", status=400)
        for name, value in params.items():
            _check_text(value, name)
        return handler(params)

    # --------------------------------------------------------------- topics
    def _create_topic(self, params: Params) -> Result:
        name = params.get("Name")
        if not name:
            raise invalid("Topic Name")
        attributes = {str(k): str(v) for k, v in (params.get("Attributes") or {}).items()}
        tags = _tags(params.get("Tags"))
        if len(tags) > _MAX_TAGS:
            raise TagLimitExceededError("Could not complete request: tag quota of per resource exceeded")
        topic = self.service._create_topic(str(name), attributes, tags, params.get("DataProtectionPolicy"))
        return {"TopicArn": topic.arn}

    def _topic(self, params: Params, parameter: str = "TopicArn") -> Topic:
        return self.service.get_topic(params.get(parameter), parameter)

    def _delete_topic(self, params: Params) -> Result:
        arn = _required(params, "TopicArn")
        try:
            self._topic(params)
        except LookupError:
            return {}  # deleting a topic that does not exist succeeds (AWS-validated)
        self.service.delete_topic(arn)
        return {}

    def _get_topic_attributes(self, params: Params) -> Result:
        return {"Attributes": self._topic(params).attributes()}

    def _set_topic_attributes(self, params: Params) -> Result:
        topic = self._topic(params)
        topic.set_attribute(str(_required(params, "AttributeName")), params.get("AttributeValue"))
        return {}

    def _list_topics(self, params: Params) -> Result:
        page, token = _paginate(self.service.list_topics(), params.get("NextToken"))
        out: Result = {"Topics": [{"TopicArn": topic.arn} for topic in page]}
        if token:
            out["NextToken"] = token
        return out

    # -------------------------------------------------------- subscriptions
    def _subscribe(self, params: Params) -> Result:
        topic = self._topic(params)
        protocol = str(_required(params, "Protocol"))
        attributes = {str(k): str(v) for k, v in (params.get("Attributes") or {}).items()}
        subscription = self.service._subscribe(topic, protocol, params.get("Endpoint"), attributes)
        if subscription.pending_confirmation and not params.get("ReturnSubscriptionArn"):
            return {"SubscriptionArn": "pending confirmation"}
        return {"SubscriptionArn": subscription.arn}

    def _confirm_subscription(self, params: Params) -> Result:
        topic_arn = str(_required(params, "TopicArn"))
        token = str(_required(params, "Token"))
        authenticate = str(params.get("AuthenticateOnUnsubscribe", "false")).lower() == "true"
        subscription = self.service.confirm_subscription(topic_arn, token, authenticate_on_unsubscribe=authenticate)
        return {"SubscriptionArn": subscription.arn}

    def _unsubscribe(self, params: Params) -> Result:
        arn = params.get("SubscriptionArn")
        if self.service.get_subscription(arn, missing_ok=True) is not None:
            self.service.unsubscribe(str(arn))
        return {}

    def _list_subscriptions(self, params: Params) -> Result:
        page, token = _paginate(self.service.list_subscriptions(), params.get("NextToken"))
        out: Result = {"Subscriptions": [s.summary() for s in page]}
        if token:
            out["NextToken"] = token
        return out

    def _list_subscriptions_by_topic(self, params: Params) -> Result:
        topic = self._topic(params)
        page, token = _paginate(list(topic.subscriptions.values()), params.get("NextToken"))
        out: Result = {"Subscriptions": [s.summary() for s in page]}
        if token:
            out["NextToken"] = token
        return out

    def _get_subscription_attributes(self, params: Params) -> Result:
        subscription = self.service.get_subscription(params.get("SubscriptionArn"))
        assert subscription is not None
        return {"Attributes": subscription.attributes()}

    def _set_subscription_attributes(self, params: Params) -> Result:
        subscription = self.service.get_subscription(params.get("SubscriptionArn"))
        assert subscription is not None
        subscription.set_attribute(str(_required(params, "AttributeName")), params.get("AttributeValue"))
        return {}

    # -------------------------------------------------------------- publish
    def _publish(self, params: Params) -> Result:
        given = [name for name in ("TopicArn", "TargetArn", "PhoneNumber") if params.get(name)]
        if not given:
            raise invalid("TopicArn or TargetArn Reason: no value for required parameter")
        if len(given) > 1:
            raise invalid("TopicArn or TargetArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be given")  # (ours)
        kind = given[0]
        if kind == "PhoneNumber":
            return self.service.publish_sms(str(params["PhoneNumber"]), params.get("Message"), subject=params.get("Subject")).to_aws()
        if kind == "TargetArn":
            target = str(params["TargetArn"])
            try:
                arn = parse_arn(target)
            except ValidationError:
                raise arn_error("TargetArn", target) from None
            if arn.service != "sns" or target not in self.service.topics:
                raise invalid("TargetArn Reason: No endpoint found for the target arn specified")
        topic = self._topic(params, kind)
        return topic.publish(
            params.get("Message"),  # type: ignore[arg-type]
            subject=params.get("Subject"),
            attributes=params.get("MessageAttributes"),
            group_id=params.get("MessageGroupId"),
            deduplication_id=params.get("MessageDeduplicationId"),
            structure=params.get("MessageStructure"),
        ).to_aws()

    def _publish_batch(self, params: Params) -> Result:
        topic = self._topic(params)
        return topic.publish_batch(list(params.get("PublishBatchRequestEntries") or ())).to_aws()

    # ----------------------------------------------------------------- tags
    def _tagged(self, params: Params) -> Topic:
        arn = str(_required(params, "ResourceArn"))
        topic = self.service.topics.get(arn)
        if topic is None:
            raise SnsResourceNotFoundError("Resource does not exist")
        return topic

    def _tag_resource(self, params: Params) -> Result:
        topic = self._tagged(params)
        tags = _tags(params.get("Tags"))
        if len({**topic.tags, **tags}) > _MAX_TAGS:
            raise TagLimitExceededError("Could not complete request: tag quota of per resource exceeded")
        topic.tags.update(tags)
        return {}

    def _untag_resource(self, params: Params) -> Result:
        topic = self._tagged(params)
        for key in params.get("TagKeys") or ():
            topic.tags.pop(str(key), None)
        return {}

    def _list_tags_for_resource(self, params: Params) -> Result:
        topic = self._tagged(params)
        return {"Tags": [{"Key": key, "Value": value} for key, value in topic.tags.items()]}

    # ---------------------------------------------------------- permissions
    def _add_permission(self, params: Params) -> Result:
        """AddPermission: a statement ``Sid=Label`` allowing the accounts the actions on the topic."""
        topic = self._topic(params)
        label = str(_required(params, "Label"))
        accounts = [str(a) for a in _required(params, "AWSAccountId")]
        actions = [str(a) for a in _required(params, "ActionName")]
        if any(action not in _ACTIONS for action in actions):
            raise invalid("Policy statement action out of service scope!")  # (moto's wording)
        statements = topic.policy.setdefault("Statement", [])
        if any(statement.get("Sid") == label for statement in statements):
            raise invalid("Statement already exists")  # (moto's wording)
        principals = [f"arn:aws:iam::{account}:root" for account in accounts]
        statements.append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                "Action": f"SNS:{actions[0]}" if len(actions) == 1 else [f"SNS:{a}" for a in actions],
                "Resource": topic.arn,
            }
        )
        return {}

    def _remove_permission(self, params: Params) -> Result:
        """RemovePermission: drop the statement ``Sid=Label`` (a missing label changes nothing)."""
        topic = self._topic(params)
        label = str(_required(params, "Label"))
        topic.policy["Statement"] = [s for s in topic.policy.get("Statement", []) if s.get("Sid") != label]
        return {}

    # ------------------------------------------------------ data protection
    def _data_protected(self, params: Params) -> Topic:
        return self.service.get_topic(params.get("ResourceArn"), "ResourceArn")

    def _get_data_protection_policy(self, params: Params) -> Result:
        topic = self._data_protected(params)
        return {"DataProtectionPolicy": topic.data_protection_policy or ""}

    def _put_data_protection_policy(self, params: Params) -> Result:
        """PutDataProtectionPolicy: kept and returned; the policy's audit and de-identify statements
        are not applied to messages by the simulation."""
        topic = self._data_protected(params)
        text = str(_required(params, "DataProtectionPolicy"))
        try:
            document = json.loads(text)
        except ValueError:
            raise invalid("DataProtectionPolicy") from None
        if not isinstance(document, dict):
            raise invalid("DataProtectionPolicy")
        topic.data_protection_policy = text
        return {}
