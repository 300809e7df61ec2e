"""The progress line of `govsite evaluate`: readable in a log file, not one line per task."""

import io

from govsite.evaluation.run import Progress


def test_progress_is_written_at_most_once_a_second_while_tasks_end():
    stream = io.StringIO()  # not a terminal: every line ends with a newline
    progress = Progress(shards=2, total_sites=20, stream=stream)
    for _ in range(40):  # the pool wakes once per finished site check
        progress.tick()
    progress.show(final=True)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("站点 0/20 完成")
