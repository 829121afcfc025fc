"""The launch scope: how often one client may start training runs (``launch`` in
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``), counted like every other scope of the kit."""

from portal.api.throttling import WriteThrottle


class LaunchThrottle(WriteThrottle):
    """For views that start a training run; reads are not counted."""

    scope = "launch"
