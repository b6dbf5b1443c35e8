"""Requests cross both ways, nest, come from the learner's threads, and stop at what the judge allows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pipe
from typing import Any

import pytest

from depipe_course.judging.channel import ChannelClosed, Endpoint, ProtocolBroken, Refusal, Remote


class _Clock:
    """A judge-side object with a private attribute a learner must not read."""

    def __init__(self) -> None:
        self._secret = "answer"
        self.now = 0.0

    def tick(self) -> float:
        self.now += 1
        return self.now


@pytest.fixture
def pair() -> Iterator[tuple[Endpoint, dict[str, Any]]]:
    """A judge endpoint here, a worker endpoint serving in a thread, and the worker's namespace."""
    judge_end, worker_end = Pipe(duplex=True)
    namespace: dict[str, Any] = {}
    worker = Endpoint(worker_end, trusting=True, ops={"get": lambda ep, name: namespace[name]})
    judge = Endpoint(judge_end, trusting=False)

    def serve() -> None:
        try:
            while True:
                worker.serve_one()
        except ChannelClosed:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield judge, namespace
    judge_end.close()
    thread.join(5)


def test_calls_nest_both_ways(pair: tuple[Endpoint, dict[str, Any]]) -> None:
    """The judge calls the learner's function, which calls the judge's callback, which answers."""
    judge, namespace = pair
    namespace["twice"] = lambda callback: [callback(), callback()]
    clock = _Clock()
    assert judge.request("get", "twice")(clock.tick) == [1.0, 2.0]


def test_the_learners_threads_can_call_the_judge(pair: tuple[Endpoint, dict[str, Any]]) -> None:
    """Calls from a thread pool in the learner's code are served while the judge waits for the answer."""
    judge, namespace = pair

    def fan_out(callback: Any) -> list[float]:
        with ThreadPoolExecutor(4) as pool:
            return sorted(pool.map(lambda _: callback(), range(20)))

    namespace["fan_out"] = fan_out
    clock = _Clock()
    assert judge.request("get", "fan_out")(clock.tick) == [float(n) for n in range(1, 21)]


def test_generators_are_pulled_one_item_at_a_time(pair: tuple[Endpoint, dict[str, Any]]) -> None:
    """A learner's generator stays in the worker: the judge sees each item when it asks for it."""
    judge, namespace = pair
    pulled: list[int] = []

    def numbers() -> Iterator[int]:
        for n in range(3):
            pulled.append(n)
            yield n

    namespace["numbers"] = numbers
    stream = judge.request("get", "numbers")()
    assert isinstance(stream, Remote) and stream.remote_kind == "generator"
    assert next(stream) == 0 and pulled == [0]
    assert list(stream) == [1, 2]


def test_the_judges_private_attributes_are_out_of_reach(pair: tuple[Endpoint, dict[str, Any]]) -> None:
    """Learner code given a judge object can call it and read its public attributes, nothing more."""
    judge, namespace = pair
    namespace["peek"] = lambda obj, name: getattr(obj, name)
    namespace["poke"] = lambda obj: setattr(obj, "now", -1.0)
    clock = _Clock()
    peek = judge.request("get", "peek")
    assert peek(clock, "now") == 0.0
    with pytest.raises(Refusal):
        peek(clock, "_secret")
    with pytest.raises((Refusal, AttributeError)):  # special names are not even asked for
        peek(clock.tick, "__globals__")
    with pytest.raises(Refusal):
        judge.request("get", "poke")(clock)
    assert clock.now == 0.0


def test_a_forged_answer_breaks_the_conversation_instead_of_counting() -> None:
    """A message that answers nothing asked ends the conversation: no verdict can be slipped in."""
    judge_end, worker_end = Pipe(duplex=True)
    judge = Endpoint(judge_end, trusting=False)
    worker_end.send_bytes(b'{"k": "r", "i": 999, "v": "passed"}')
    with pytest.raises(ProtocolBroken):
        judge.request("anything")
