"""The simulated AWS services: SQS, SNS, EventBridge, Scheduler and Lambda-style functions."""
