"""A stand-in for `time.sleep` that the client tests hand to the clients, so retries wait for nothing."""

from __future__ import annotations


class Sleeps(list[float]):
    """Records the client's waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
