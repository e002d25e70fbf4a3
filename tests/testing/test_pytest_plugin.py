"""The pytest plugin (issue 10): a per-test seeded `sim` fixture whose seed and journal show on failure."""

from __future__ import annotations

import pytest

from eventbus.testing import seed_for_test


def test_sim_fixture_is_seeded_per_test_and_stable(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_one(sim):
            print("SEED", sim.seed)

        def test_two(sim):
            print("SEED", sim.seed)
        """
    )
    result = pytester.runpytest("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    seeds = [line.split()[1] for line in result.outlines if line.startswith("SEED") or "SEED" in line]
    expected_one = seed_for_test("test_sim_fixture_is_seeded_per_test_and_stable.py::test_one")
    expected_two = seed_for_test("test_sim_fixture_is_seeded_per_test_and_stable.py::test_two")
    assert str(expected_one) in " ".join(result.outlines)
    assert str(expected_two) in " ".join(result.outlines)
    assert expected_one != expected_two
    assert seeds


def test_seed_option_and_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_option(sim):
            assert sim.seed == 1234

        @pytest.mark.eventbus(seed=7, start="2030-01-01T00:00:00Z", region="eu-west-1")
        def test_marker(sim):
            assert sim.seed == 7
            assert sim.iso() == "2030-01-01T00:00:00Z"
            assert sim.region == "eu-west-1"
        """
    )
    result = pytester.runpytest("--eventbus-seed", "1234", "-k", "test_option", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, deselected=1)
    result = pytester.runpytest("-k", "test_marker", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, deselected=1)


def test_a_failing_test_shows_its_seed_rerun_command_and_journal(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_fails(sim):
            sim.record("orders.charged", "arn:aws:lambda:us-east-1:123456789012:function:pay", "order-1", {"amount": 5})
            sim.advance(30)
            assert False, "double charge"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    seed = seed_for_test("test_a_failing_test_shows_its_seed_rerun_command_and_journal.py::test_fails")
    result.stdout.fnmatch_lines(
        [
            "*eventbus*",
            f"seed {seed}  (rerun: pytest *test_fails* --eventbus-seed {seed})",
            "virtual time at failure: 2024-01-01T00:00:30Z  (+30 s)",
            "*orders.charged*function:pay order-1 {'amount': 5}",
        ]
    )


def test_aws_fixture_serves_boto3_from_the_sim_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_boto3_code(aws, sim):
            assert aws is sim
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="orders")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="o-1", DelaySeconds=60)
            assert sim.sqs.get_queue("orders").statistics().delayed == 1
            sim.advance(60)
            assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["o-1"]

        def test_nothing_is_patched_without_it():
            import botocore.endpoint
            from eventbus.aws import _transport
            assert botocore.endpoint.Endpoint._send is not _transport._send
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
