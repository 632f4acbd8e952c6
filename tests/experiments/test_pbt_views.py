"""The PBT page's reads: the ancestry a schedule is drawn along, from exploit rows."""

from __future__ import annotations

from datetime import UTC, datetime

from app.views.pbt import Segment, ancestry, value_at
from runstore import Exploit


def exploit(member: int, episode: int, source: int) -> Exploit:
    """Return an exploit row: ``member`` copied ``source`` at ``episode``."""
    return Exploit(0, 1, member, episode, source, episode, None, {}, {}, datetime.now(UTC))


def test_the_ancestry_follows_each_copy_back_to_episode_0():
    rows = [exploit(2, 100, 1), exploit(1, 200, 3), exploit(3, 300, 2), exploit(2, 400, 3)]
    assert ancestry(2, 500, rows) == [
        Segment(1, 0, 100),
        Segment(2, 100, 300),
        Segment(3, 300, 400),
        Segment(2, 400, 500),
    ]
    assert ancestry(4, 500, rows) == [Segment(4, 0, 500)]


def test_a_copy_at_the_end_episode_is_not_yet_part_of_the_ancestry():
    assert ancestry(2, 100, [exploit(2, 100, 1)]) == [Segment(2, 0, 100)]


def test_a_value_is_the_last_step_at_or_before_the_episode():
    steps = [(1, {"alpha": 0.1}), (101, {"alpha": 0.12}), (301, {"alpha": 0.2})]
    assert [value_at(steps, e, "alpha") for e in (1, 100, 101, 300, 301, 999)] == [
        0.1,
        0.1,
        0.12,
        0.12,
        0.2,
        0.2,
    ]
