"""A clock that went back: work recorded while the clock ran ahead does not stay pending."""

from __future__ import annotations

from ecsimg.domain.clock import CLOCK_SKEW_SECONDS, iso
from ecsimg.service.images.visibility import status_of
from tests.service.test_transfer import RAW_DISK, disk, import_image, put_file
from tests.world import World

YEAR = 365 * 86_400.0


def test_an_import_made_while_the_clock_ran_a_year_ahead_is_done_once_it_is_corrected(
        world: World) -> None:
    put_file(world, "root.raw", RAW_DISK)
    corrected = world.clock.now
    world.clock.now = corrected + YEAR
    image_id = import_image(world, disk(1, "root.raw", DiskImageSize=100))["ImageId"]
    assert _status(world, image_id) == "Creating"
    world.clock.now = corrected  # an administrator fixes the clock
    assert _status(world, image_id) == "Available"
    world.call("DeleteImage", RegionId="cn-hangzhou", ImageId=image_id)
    assert world.get_image(image_id) is None


def test_a_small_skew_keeps_the_work_pending(world: World) -> None:
    """Clocks of two machines sharing a catalogue differ by seconds: that is no correction."""
    start = world.clock.now
    image = world.image(creation_time=iso(start + CLOCK_SKEW_SECONDS / 2),
                        pending_start=start, pending_end=start + 3600)
    world.advance(60)
    assert _status(world, image.image_id) == "Creating"
    world.error("DeleteImage", RegionId="cn-hangzhou", ImageId=image.image_id)


def _status(world: World, image_id: str) -> str:
    image = world.get_image(image_id)
    assert image is not None
    return status_of(image, world.clock.now)
