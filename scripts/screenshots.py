"""Write the README's SVG screenshots into screenshots/, from the fixed demo catalogue."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

# The fixed catalogue and the steps are the snapshot tests' fixtures, in tests/ui/.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.ui import showcase_steps as steps
from tests.ui.showcase import fixed_app, fixed_backend

SHOTS: tuple[tuple[str, tuple[int, int], steps.Steps, str], ...] = (
    ("main-80x24.svg", (80, 24), steps.main_screen, "en"),
    ("main-120x40.svg", (120, 40), steps.main_screen, "en"),
    ("share-dialog.svg", (80, 24), steps.share_dialog, "en"),
    ("fee-preview.svg", (80, 24), steps.fee_preview, "en"),
    ("help.svg", (80, 24), steps.help_screen, "en"),
    ("detail-120x40.svg", (120, 40), steps.detail_screen, "en"),
    ("tasks-80x24.svg", (80, 24), steps.tasks_view, "en"),
    ("costs-80x24.svg", (80, 24), steps.cost_dashboard, "en"),
    ("compare-80x24.svg", (80, 24), steps.compare_view, "en"),
    ("every-region-80x24.svg", (80, 24), steps.every_region, "en"),
    ("main-80x24-zh-CN.svg", (80, 24), steps.main_screen, "zh-CN"),
)


async def shoot(folder: Path, name: str, size: tuple[int, int], before: steps.Steps,
                language: str) -> None:
    app = fixed_app(fixed_backend(Path("catalogue")), language)
    async with app.run_test(size=size) as pilot:
        await before(pilot)
        (folder / name).write_text(app.export_screenshot(title=f"ecsimg {size[0]}x{size[1]}"),
                                   encoding="utf-8")


def main() -> int:
    folder = Path(__file__).resolve().parent.parent / "screenshots"
    folder.mkdir(exist_ok=True)
    os.environ.pop("NO_COLOR", None)
    with tempfile.TemporaryDirectory() as scratch:
        # A relative catalogue path, so the header shows "catalogue", not the scratch folder.
        os.chdir(scratch)
        for name, size, before, language in SHOTS:
            asyncio.run(shoot(folder, name, size, before, language))
            print(folder / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
