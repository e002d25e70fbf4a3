"""The MD5 digests SQS returns with every message, computed as AWS documents them.

``MD5OfMessageBody`` is the MD5 of the body's UTF-8 bytes. ``MD5OfMessageAttributes`` (and
``MD5OfMessageSystemAttributes``) is the MD5 of an encoding of the attributes: for each attribute,
sorted by name, the length-prefixed name, the length-prefixed data type, one transport byte (1 for
``String``/``Number`` values, 2 for ``Binary``) and the length-prefixed value, every length a
4-byte big-endian integer.
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

__all__ = ("SMALL_MD5_BYTES", "md5_of_attributes", "md5_of_body", "small_md5")

_md5 = hashlib.md5

try:  # CPython's own MD5: the same digest, without OpenSSL's per-object set-up (faster below 1 KiB)
    from _md5 import md5 as small_md5  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - a build without it
    small_md5 = hashlib.md5

#: Below this many bytes ``small_md5`` is the faster of the two; at and above it, OpenSSL's.
SMALL_MD5_BYTES = 1024


def md5_of_body(body: str) -> str:
    """The hexadecimal MD5 of ``body`` encoded as UTF-8 (``MD5OfMessageBody``)."""
    data = body.encode()
    return (small_md5 if len(data) < SMALL_MD5_BYTES else _md5)(data).hexdigest()


def _length_prefixed(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def md5_of_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str:
    """The hexadecimal MD5 of message attributes in AWS's encoding (``MD5OfMessageAttributes``).

    Args:
        attributes: ``{name: {"DataType": ..., "StringValue": str} | {"DataType": ..., "BinaryValue": bytes}}``,
            already validated.
    """
    digest = _md5()
    update = digest.update
    for name in sorted(attributes):
        value = attributes[name]
        data_type: str = value["DataType"]
        update(_length_prefixed(name.encode()))
        update(_length_prefixed(data_type.encode()))
        binary = value.get("BinaryValue")
        if binary is not None and data_type.startswith("Binary"):
            update(b"\x02")
            update(_length_prefixed(bytes(binary)))
        else:
            update(b"\x01")
            update(_length_prefixed(str(value["StringValue"]).encode()))
    return digest.hexdigest()
