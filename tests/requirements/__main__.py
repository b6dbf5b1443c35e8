"""Print the requirement table: requirement -> wrong versions -> the sub-check that fails each."""

from __future__ import annotations

from tests import requirements, wrong_versions


def table() -> str:
    wrongs = wrong_versions.load_all()
    lines = ["| exercise | requirement | wrong version | caught by sub-check |", "|---|---|---|---|"]
    for exercise_id, phrases in sorted(requirements.load_all().items()):
        for phrase in phrases:
            rows = [w for w in wrongs if w.exercise_id == exercise_id and w.requirement == phrase]
            for w in rows or [None]:
                wrong_text = w.description if w else "**none**"
                catches = w.catches if w else ""
                lines.append(f"| {exercise_id} | {phrase} | {wrong_text} | {catches} |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(table() + "\n")
