"""Part 03's checks grade both styles of client alike and never wait or hang.

Each learner answer here is a cell source graded as the grader does it. The "direct"
answers ignore the injected collaborators (``requests.get`` instead of the session,
``time.sleep`` / ``time.monotonic`` instead of ``sleep`` / ``clock``): the contract
says they must be graded fairly, so they must earn full points, quickly.
"""

from __future__ import annotations

import textwrap
import threading
import time

import pytest

from depipe_course.checking import Result
from depipe_course.exercises import part03
from depipe_course.grading.child import Job, grade_in_this_process


def grade(exercise_id: str, source: str) -> Result:
    return grade_in_this_process(Job(exercise_id, textwrap.dedent(source), f"<test {exercise_id}>"))


def assert_full_points(result: Result) -> None:
    failed = [f"{c.name}: {c.message} (expected {c.expected}, seen {c.seen})" for c in result.checks if not c.passed]
    assert result.status == "passed", failed


DIRECT = {
    "03.1": """
        import time
        import requests

        def get_oauth_token(session, token_url, client_id, client_secret):
            form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
            response = requests.post(token_url, data=form, timeout=10)
            response.raise_for_status()
            return response.json()

        class TokenCache:
            def __init__(self, fetch, clock=time.monotonic, skew_s=60):
                self.fetch, self.skew_s, self.token, self.refresh_at = fetch, skew_s, None, 0.0

            def get(self):
                if self.token is None or time.monotonic() >= self.refresh_at:
                    started = time.monotonic()
                    body = self.fetch()
                    self.token = body["access_token"]
                    self.refresh_at = started + body["expires_in"] - self.skew_s
                return self.token
    """,
    "03.2": """
        import requests

        def fetch_all_orders_offset(session, base_url, start_date, limit=200):
            page = 1
            while True:
                params = {"from": start_date, "page": page, "limit": limit}
                response = requests.get(f"{base_url}/orders", params=params, timeout=30)
                response.raise_for_status()
                items = response.json()["items"]
                yield from items
                if len(items) < limit:
                    return
                page += 1
    """,
    "03.3": """
        import requests

        def fetch_all_payments_cursor(session, base_url, start_date, count=100):
            params = {"from": start_date, "count": count}
            while True:
                body = requests.get(f"{base_url}/payments", params=params, timeout=30).json()
                yield from body["items"]
                if not body["next_cursor"]:
                    return
                params["cursor"] = body["next_cursor"]
    """,
    "03.4": """
        from urllib.parse import urljoin
        import requests

        def fetch_all_accounts_next_url(session, url):
            while url:
                response = requests.get(url, timeout=30)
                response.raise_for_status()
                body = response.json()
                yield from body["records"]
                url = urljoin(url, body["nextRecordsUrl"]) if body["nextRecordsUrl"] else None
    """,
    "03.5": """
        import json, os, tempfile
        from pathlib import Path
        import requests

        def fetch_with_checkpoint(session, base_url, checkpoint_path, start_date):
            path = Path(checkpoint_path)
            cursor = json.loads(path.read_text())["cursor"] if path.exists() else None
            while True:
                params = {"from": start_date, "count": 100}
                if cursor:
                    params["cursor"] = cursor
                body = requests.get(f"{base_url}/payments", params=params, timeout=30).json()
                yield from body["items"]
                cursor = body["next_cursor"]
                if not cursor:
                    path.unlink(missing_ok=True)
                    return
                fd, tmp = tempfile.mkstemp(dir=path.parent)
                with os.fdopen(fd, "w") as f:
                    json.dump({"cursor": cursor}, f)
                os.replace(tmp, path)
    """,
    "03.6": """
        import time
        from datetime import datetime, timezone
        from email.utils import parsedate_to_datetime
        import requests

        def make_api_request(session, url, *, params=None, headers=None, max_retries=5, sleep=time.sleep):
            for attempt in range(max_retries + 1):
                try:
                    response = requests.get(url, params=params, headers=headers, timeout=30)
                except (requests.ConnectionError, requests.Timeout):
                    if attempt == max_retries:
                        raise
                    time.sleep(2 ** attempt)
                    continue
                if response.status_code not in (429, 500, 502, 503, 504):
                    response.raise_for_status()
                    return response
                if attempt == max_retries:
                    response.raise_for_status()
                value = response.headers.get("Retry-After")
                if value is None:
                    time.sleep(2 ** attempt)
                elif value.isdigit():
                    time.sleep(int(value))
                else:
                    moment = parsedate_to_datetime(value)
                    time.sleep(max(0, (moment - datetime.now(timezone.utc)).total_seconds()))
    """,
    "03.7": """
        import time

        class RateLimiter:
            def __init__(self, calls_per_second, burst=1, clock=time.monotonic, sleep=time.sleep):
                self.rate, self.burst = calls_per_second, burst
                self.tokens, self.updated = float(burst), time.monotonic()

            def wait(self):
                while True:
                    now = time.monotonic()
                    self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
                    self.updated = now
                    if self.tokens >= 1 - 1e-9:
                        self.tokens -= 1
                        return
                    time.sleep((1 - self.tokens) / self.rate)
    """,
}


@pytest.mark.parametrize("exercise_id", sorted(DIRECT))
def test_direct_style_earns_full_points(exercise_id: str) -> None:
    """An answer that calls requests / time directly instead of the injected session, sleep and clock passes."""
    assert_full_points(grade(exercise_id, DIRECT[exercise_id]))


def test_a_minute_of_backoff_is_not_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries that sleep 32 + 64 + ... s through time.sleep are graded without the real sleep running."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # the real sleep, should anything reach it
    source = DIRECT["03.6"].replace("2 ** attempt", "2 ** (attempt + 5)")  # 32, 64, ... s per wait
    result = grade("03.6", source)
    assert result.score > 0
    assert slept == []


def test_time_functions_are_restored_after_a_check() -> None:
    """After checks that patch time.sleep, time.monotonic and time.time, the real ones are back."""
    before = (time.sleep, time.monotonic, time.time, time.perf_counter)
    for exercise_id in ("03.1", "03.6", "03.7"):
        grade(exercise_id, DIRECT[exercise_id])
    assert (time.sleep, time.monotonic, time.time, time.perf_counter) == before


def test_patched_time_leaves_other_threads_alone() -> None:
    """While a check fakes the clock, another thread (say, the kernel's) still reads real time."""
    seen: list[float] = []
    with part03._patched_time(clock=lambda: 5.0):
        assert time.monotonic() == 5.0
        other = threading.Thread(target=lambda: seen.append(time.monotonic()))
        other.start()
        other.join()
    assert seen and seen[0] != 5.0


def test_runaway_pagination_is_cut_off_with_a_clear_message() -> None:
    """A loop that never stops asking for pages fails its checks quickly instead of hanging."""
    source = """
        import requests

        def fetch_all_accounts_next_url(session, url):
            while True:
                response = requests.get(url, timeout=30)  # never follows nextRecordsUrl, never stops
                response.raise_for_status()
                if False:
                    yield
    """
    result = grade("03.4", source)
    assert result.status == "failed"
    assert any("more than" in c.message and "requests" in c.message for c in result.checks)


def test_busy_waiting_rate_limiter_is_reported() -> None:
    """A limiter that spins on the clock instead of sleeping is failed, not left spinning for ever."""
    source = """
        import time

        class RateLimiter:
            def __init__(self, calls_per_second, burst=1, clock=time.monotonic, sleep=time.sleep):
                self.interval, self.clock, self.next_at = 1 / calls_per_second, clock, clock()

            def wait(self):
                while self.clock() < self.next_at:
                    pass
                self.next_at = self.clock() + self.interval
    """
    result = grade("03.7", source)
    assert result.status in {"failed", "partial"}
    assert any("busy" in (c.seen or "") for c in result.checks)


def test_pagination_checks_need_no_credentials() -> None:
    """Pagination checks use a fake without auth, so a learner calling requests.get without headers is not refused."""
    with part03._orders_fake() as api:
        assert api.auth.mode == "none"
    with part03._cp_fake() as api:
        assert api.auth.mode == "none"


def test_a_refused_first_page_is_reported_as_the_cause() -> None:
    """Pages counted from 0 without raise_for_status fail naming page=0 and the API's 400, not a bare KeyError."""
    source = """
        def fetch_all_orders_offset(session, base_url, start_date, limit=200):
            page = 0
            while True:
                params = {"from": start_date, "page": page, "limit": limit}
                items = session.get(f"{base_url}/orders", params=params, timeout=30).json()["items"]
                yield from items
                if len(items) < limit:
                    return
                page += 1
    """
    result = grade("03.2", source)
    failed = [c for c in result.checks if c.status == "failed"]
    assert failed and all(c.message == "pages start at 1: your first request asked for page=0" for c in failed)
    assert "400" in (failed[0].seen or "") and "KeyError" in (failed[0].seen or "")
    assert "page counter at 1" in failed[0].hint
