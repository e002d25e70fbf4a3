"""Application code written for AWS, used unchanged by the tests."""
