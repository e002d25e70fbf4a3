"""Each public module's __all__ is a tuple of names that exist, without repeats (anyio's house rule)."""

from __future__ import annotations

import importlib

import pytest

PUBLIC_MODULES = [
    "eventbus",
    "eventbus.errors",
    "eventbus.clock",
    "eventbus.arn",
    "eventbus.testing",
    "eventbus.transform",
    "eventbus.aws",
    "eventbus.matching",
    "eventbus.services.sqs",
    "eventbus.services.events",
    "eventbus.services.scheduler",
    "eventbus.services.sns",
    "eventbus.services.lambda_",
    "eventbus.topology",
    "eventbus.testing.strategies",
    "eventbus.testing.idempotency",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_a_tuple_of_existing_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert isinstance(exported, tuple)
    for attr in exported:
        assert hasattr(module, attr), f"{name}.{attr} is in __all__ but missing"
    assert len(set(exported)) == len(exported)


def test_errors_carry_aws_code_message_and_status() -> None:
    from eventbus.errors import ResourceNotFoundError, ServiceError, ValidationError

    err = ValidationError("Parameter ScheduleExpression is not valid.")
    assert str(err) == "Parameter ScheduleExpression is not valid."
    assert (err.code, err.status, err.sender_fault) == ("ValidationException", 400, True)
    assert isinstance(err, ValueError)
    assert isinstance(err, ServiceError)
    nf = ResourceNotFoundError("The specified queue does not exist.", code="AWS.SimpleQueueService.NonExistentQueue")
    assert isinstance(nf, LookupError)
    assert nf.code == "AWS.SimpleQueueService.NonExistentQueue"
    assert "eventbus.errors.ResourceNotFoundError" in repr(nf)


def test_importing_eventbus_does_not_import_botocore() -> None:
    import subprocess
    import sys

    code = "import sys, eventbus; assert 'botocore' not in sys.modules; eventbus.mock_aws; assert 'botocore' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
