"""The main screen: header, type tabs, filter, image list, details and fee panes, footer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from ecsimg.config import Settings
from ecsimg.domain.filtering import Query, parse_filter
from ecsimg.i18n import t
from ecsimg.keymap import BY_ID, KEY_ACTIONS, MUTATING_DIALOGS
from ecsimg.service.backend import Backend, UnknownProfile
from ecsimg.service.reads import browse, image_rows
from ecsimg.service.reads.browse import ImageDetails
from ecsimg.service.reads.image_rows import ImageRow, RegionRows
from ecsimg.service.reads.row_filter import RowFilter
from ecsimg.service.reads.row_table import unchanging
from ecsimg.ui import dialogs, heap
from ecsimg.ui.screens.main_keys import LIST_ACTIONS, dialog_disabled_reason, screen_bindings
from ecsimg.ui.widgets.details import DetailsPane, details_text, fees_pane_text, fees_title
from ecsimg.ui.widgets.filter_error import FilterError
from ecsimg.ui.widgets.filter_line import FilterLine
from ecsimg.ui.widgets.header import HeaderBar, header_info
from ecsimg.ui.widgets.image_list import ImageList
from ecsimg.ui.widgets.key_footer import KeyFooter
from ecsimg.ui.widgets.line_pane import LinePane
from ecsimg.ui.widgets.tabs import TypeTabs
from ecsimg.ui.wording import localize_bindings

TASK_POLL_SECONDS = 2.0


class MainScreen(Screen[None]):
    """Browses the catalogue; every key that opens a dialog goes through ``action_dialog``."""

    BINDINGS: ClassVar[list[BindingType]] = screen_bindings()
    AUTO_FOCUS = "ImageList"
    """The list has the focus from the start, not the filter line (the first focusable):
    the footer then shows the list's keys from its first drawing, instead of being built a
    second time at start-up (30-45 ms before the first rows)."""

    class RowsLoaded(Message):
        """A worker read the catalogue, or (with ``done`` < 1) the first part of a large one;
        ``prepared``: the rows sorted in ``order`` and ready to filter, made by the worker."""

        def __init__(self, loaded: RegionRows, done: float = 1.0,
                     prepared: RowFilter | None = None,
                     order: tuple[str, bool] | None = None) -> None:
            super().__init__()
            self.loaded = loaded
            self.done = done
            self.prepared = prepared
            self.order = order

    class Resorted(Message):
        """A worker ordered ``loaded``'s rows by ``order`` and made their filter
        (``prepared``)."""

        def __init__(self, loaded: RegionRows, prepared: RowFilter,
                     order: tuple[str, bool], keep_key: str | None = None) -> None:
            super().__init__()
            self.loaded = loaded
            self.prepared = prepared
            self.order = order
            self.keep_key = keep_key

    class TasksSeen(Message):
        """A load found these unfinished tasks: the screen says when each ends."""

        def __init__(self, task_ids: list[str]) -> None:
            super().__init__()
            self.task_ids = task_ids

    class DetailsLoaded(Message):
        def __init__(self, loaded: ImageDetails) -> None:
            super().__init__()
            self.loaded = loaded

    def __init__(self, backend: Backend, settings: Settings) -> None:
        super().__init__()
        localize_bindings(self)
        self.backend = backend
        self.settings = settings
        self.loaded: RegionRows | None = None
        self._filter = RowFilter([], ())
        """The loaded rows in the list's sort order, so a filter keystroke need not sort."""
        self.kind = "all"
        self.filter_query: Query = Query()
        self._dialog_key_state: tuple[bool, ...] = ()
        """Which dialog keys were disabled when the footer was last refreshed."""
        self._focus_after_load: str | None = None
        self._details_row: ImageRow | None = None
        """The row whose details the pane shows, or is about to."""
        self._counts: dict[str, int] = {}
        """The tabs' counts of the rows shown, drawn a frame after the rows."""
        self._details: ImageDetails | None = None
        """The details the pane shows."""
        self._fees: tuple[browse.FeeLine, ...] | None = None
        """The fee lines the fee pane shows."""
        self._loading = 1.0
        """How much of the catalogue the rows shown were read from."""
        self._refreshing = False
        """A refresh (ctrl+r) is under way: say when it is done."""
        self._watched_tasks: set[str] = set()
        """Unfinished tasks of the account: a notice is shown when each ends."""
        self.every_region = False
        """The list shows the account's images of every region (``A``), not the session's."""

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        yield TypeTabs(id="tabs")
        with Horizontal(id="filter-bar"):
            yield FilterLine(placeholder=t("main.filter_hint"), id="filter", compact=True,
                             on_change=lambda line: self.set_filter(line))
            yield Static("", id="filter-status")
            yield Static("", id="sort-status")
        yield FilterError(id="filter-error")
        with Horizontal(id="body"):
            yield ImageList(self.backend.now, self.settings.progress_refresh_seconds,
                            id="images")
            with Vertical(id="side"):
                yield DetailsPane(id="details")
                fees = LinePane(id="fees")
                fees.border_title = fees_title()
                yield fees
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#fees").display = self.settings.show_fee_pane
        self._apply_layout(self.app.size.width)
        image_list = self.query_one(ImageList)
        image_list.jump_keys = dict.fromkeys(
            self.settings.keys_for("focus_filter").split(","), self.action_focus_filter)
        image_list.focus()
        self._show_header()
        self._show_sort()
        self.reload()
        self._refresh_cloud()
        self.set_interval(TASK_POLL_SECONDS, self._report_ended_tasks)

    @on(ImageList.ProgressTicked)
    def _follow_busy_image(self, event: ImageList.ProgressTicked) -> None:
        """The pane's status, progress and time left move with the list's bar, at the time it
        was drawn at; an image that is done is read again (its status, and whatever else its
        creation changed)."""
        shown, row = self._details, event.image_list.current
        if shown is None or row is None or shown.row.key != row.key:
            return
        if image_rows.is_busy(row, event.now):
            status, progress, remain = image_rows.row_progress(row, event.now)
            if (status, progress, remain) != (shown.status, shown.progress, shown.remain_seconds):
                self._details = replace(shown, status=status, progress=progress,
                                        remain_seconds=remain)
                self.query_one(DetailsPane).show(details_text(self._details))
        elif image_rows.is_busy_status(shown.status):
            self.load_details(self.backend, row)

    def on_resize(self) -> None:
        self._apply_layout(self.app.size.width)

    def _apply_layout(self, width: int) -> None:
        narrow = width < self.settings.wide_layout_columns
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self._show_fees()

    def _show_fees(self) -> None:
        # Narrow, the fee pane has no top border to carry its title.
        if self._fees is not None:
            self.query_one("#fees", LinePane).show(
                fees_pane_text(self._fees, title=self.has_class("-narrow")))

    # -- loading ---------------------------------------------------------------------------

    def reload(self, refresh: bool = False, focus_key: str | None = None) -> None:
        """Read the rows again in a worker; ``refresh`` first picks up other processes' writes."""
        self._focus_after_load = focus_key
        heap.before_load()
        image_list = self.query_one(ImageList)
        self.load_rows(self.backend, refresh, self.every_region,
                       image_list.sorter(newest_first=True), image_list.order)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rows")
    def load_rows(self, backend: Backend, refresh: bool, every_region: bool,
                  sort: Callable[[Sequence[ImageRow]], Sequence[ImageRow]],
                  order: tuple[str, bool]) -> None:
        """Read the rows, and sort them and make their filter here, not on the thread that
        draws (at 100,000 images the filter's columns take tens of milliseconds)."""
        worker = get_current_worker()

        def loaded_message(loaded: RegionRows, done: float = 1.0) -> MainScreen.RowsLoaded:
            return self.RowsLoaded(loaded, done, _prepared(loaded, sort, backend), order)

        def first_rows(partial: RegionRows, done: float) -> None:
            if not worker.is_cancelled:
                self.post_message(loaded_message(partial, done))

        read = backend.all_region_images if every_region else backend.images
        loaded = read(refresh=refresh, on_partial=first_rows)
        if not worker.is_cancelled:
            message = loaded_message(loaded)
            self.post_message(message)
            running = [t.task_id for t in backend.tasks() if t.unfinished]
            self.post_message(self.TasksSeen(running))
            if message.prepared is not None:
                message.prepared.warm()
            if loaded.keep is not None:
                loaded.keep()  # for the next start, once this one has what it needs

    def on_main_screen_tasks_seen(self, message: TasksSeen) -> None:
        self._watched_tasks.update(message.task_ids)

    def _report_ended_tasks(self) -> None:
        """A notice for each watched task that ended (few: read by ID, not the whole table)."""
        if not self._watched_tasks:
            return
        for task in self.backend.tasks(sorted(self._watched_tasks)):
            if task.unfinished:
                continue
            self._watched_tasks.discard(task.task_id)
            self.notify(t("main.task_ended", action=task.action, resource=task.resource_id,
                          region=task.region_id, status=task.status, task=task.task_id),
                        title=t("main.task_ended.title"), markup=False,
                        severity="error" if task.status == "Failed" else "information")

    def _refresh_cloud(self) -> None:
        if self.backend.session.cloud:
            image_list = self.query_one(ImageList)
            self.refresh_cloud(self.backend, image_list.sorter(newest_first=True),
                               image_list.order)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cloud")
    def refresh_cloud(self, backend: Backend,
                      sort: Callable[[Sequence[ImageRow]], Sequence[ImageRow]],
                      order: tuple[str, bool]) -> None:
        """A real account: after the cache is shown, sync the region in view from it (the
        rows sorted and their filter made here, as ``load_rows`` does)."""
        loaded = backend.images(refresh=True)
        if not get_current_worker().is_cancelled and backend is self.backend:
            self.post_message(self.RowsLoaded(loaded, 1.0, _prepared(loaded, sort, backend),
                                              order))
            if loaded.keep is not None:
                loaded.keep()

    def on_main_screen_rows_loaded(self, message: RowsLoaded) -> None:
        if message.loaded.every_region != self.every_region:
            return  # read before the mode changed
        self.loaded = message.loaded
        image_list = self.query_one(ImageList)
        current = image_list.current
        # A cursor the user moved stays on its image; one still on the first row follows the
        # first row, so the final read of a large catalogue does not leave it on a stale row.
        keep = self._focus_after_load or (current.key if current and image_list.cursor else "")
        if message.prepared is not None and message.order == image_list.order:
            self._filter = message.prepared
            self._apply_filter(keep_key=keep)
        else:
            # Sorted otherwise since the worker began: the sort worker orders these rows
            # and makes their filter (0.2-0.5 s at 100,000 images, not on this thread).
            self.resort(message.loaded, image_list.sorter(newest_first=True),
                        image_list.order, keep)
        self._show_loading(message.done)
        if message.done >= 1.0:
            self._focus_after_load = None
            heap.after_load()
            if self._refreshing:
                self._refreshing = False
                self.notify(t("main.refreshed", count=len(message.loaded.rows)),
                            title=t("key.refresh.label"), markup=False, timeout=3)

    def _show_loading(self, done: float) -> None:
        self._loading = done
        self.query_one(TypeTabs).loading = done < 1.0
        self._show_header()
        status = self.query_one("#filter-status", Static)
        if done < 1.0:
            status.update(Text(t("main.loading", done=done), style="dim"))
        else:
            status.update("")

    @work(thread=True, exclusive=True, exit_on_error=False, group="details")
    def load_details(self, backend: Backend, row: ImageRow) -> None:
        loaded = backend.details(row)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailsLoaded(loaded))

    def on_main_screen_details_loaded(self, message: DetailsLoaded) -> None:
        current = self.query_one(ImageList).current
        if current is None or current.key != message.loaded.row.key:
            return
        self._details = message.loaded
        self.query_one(DetailsPane).show(details_text(message.loaded))
        self._fees = message.loaded.fees
        self._show_fees()

    # -- filter and tabs -------------------------------------------------------------------

    def set_filter(self, line: str) -> None:
        """Filter by ``line``; a line with a bad part keeps the last good result and says why."""
        parsed = parse_filter(line)
        self.query_one("#filter", Input).set_class(bool(parsed.error), "-bad")
        error_line = self.query_one(FilterError)
        if parsed.error:
            # Its own line under the filter, wrapped: the whole message, and what is shown.
            kept = self.filter_query.text()
            error_line.report(Text.assemble(
                (t("main.filter_error"), "bold reverse"), " ", (parsed.error, "bold"),
                t("main.filter_kept", kept=kept) if kept else t("main.filter_kept_none"),
                end=""))
            return
        error_line.report(None)
        self.filter_query = parsed.query
        self._apply_filter()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one(FilterError).reveal_now()
        self.query_one(ImageList).focus()

    @on(Input.Blurred, "#filter")
    def _filter_left(self) -> None:
        self.query_one(FilterError).reveal_now()

    def _apply_filter(self, keep_key: str | None = None) -> None:
        if self.loaded is None:
            return
        matched = self._filter.matching(self.filter_query, self.backend.now())
        shown = self._filter.of_kind(matched, self.kind)
        image_list = self.query_one(ImageList)
        image_list.set_rows(shown, keep_key, in_order=True)
        # The counts in the frame after the list's: Textual redraws the box around all that
        # changed in a frame, so the header and tabs across the top, changed with the list,
        # would make it redraw every widget beside the list's lines too (a third of the
        # keystroke's frame at 100,000 images); a frame later they cost their own two lines.
        self._counts = matched.counts
        image_list.when_drawn(self._show_counts)
        if not shown:
            self._details_row = None
            self.query_one(DetailsPane).show(Text(t("main.no_match"), style="dim"))
            self._fees = None
            self.query_one("#fees", LinePane).show("")

    def _show_counts(self) -> None:
        tabs = self.query_one(TypeTabs)
        tabs.counts = self._counts
        tabs.active = self.kind
        self._show_header()

    def _show_header(self) -> None:
        image_list = self.query_one(ImageList)
        self.query_one(HeaderBar).info = header_info(
            self.backend.session, self.settings, self.loaded, every_region=self.every_region,
            shown=len(image_list.rows), marked=len(image_list.marked), loading=self._loading)

    def apply_saved_filter(self, line: str) -> None:
        """Put a saved filter in the filter line (the list follows) and go back to the list."""
        filter_input = self.query_one("#filter", Input)
        if filter_input.value == line:
            self.set_filter(line)
        else:
            filter_input.value = line  # which filters
        self.query_one(FilterError).reveal_now()
        self.query_one(ImageList).focus()

    def action_tab(self, kind: str) -> None:
        self.kind = kind
        self._apply_filter()

    def action_focus_filter(self) -> None:
        # At once, not later: keys typed (or pasted) right after / are already queued, and
        # they must reach the filter, not the list.
        self.set_focus(self.query_one("#filter", Input))

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.value = ""
        self.query_one(ImageList).focus()

    # -- list events -----------------------------------------------------------------------

    @on(ImageList.ImageHighlighted)
    def _highlighted(self, event: ImageList.ImageHighlighted) -> None:
        self._refresh_bindings_if_changed()  # share is disabled on images one cannot share
        row = event.row
        if row is None or row is self._details_row:
            return  # a keystroke that kept the first row: the pane shows it already
        self._details_row = row
        # After the frame that shows the list: the details' worker reads the image record,
        # and a thread running beside the drawing would slow the frame a keystroke waits on.
        self.call_after_refresh(self._load_highlighted_details)

    def _load_highlighted_details(self) -> None:
        row = self.query_one(ImageList).current
        if row is not None and row is self._details_row:
            self.load_details(self.backend, row)

    def _show_sort(self) -> None:
        """The sort column and direction, always on screen (the column itself may not be)."""
        label = self.query_one(ImageList).sort_label
        self.query_one("#sort-status", Static).update(Text(t("main.sort", label=label),
                                                           style="bold"))

    @on(ImageList.SortChanged)
    def _sort_changed(self) -> None:
        self._show_sort()
        if self.loaded is not None:
            image_list = self.query_one(ImageList)
            self.resort(self.loaded, image_list.sorter(newest_first=True), image_list.order)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sort")
    def resort(self, loaded: RegionRows,
               sort: Callable[[Sequence[ImageRow]], Sequence[ImageRow]],
               order: tuple[str, bool], keep_key: str | None = None) -> None:
        """The loaded rows as a table in the new order, and its filter, made here: at
        100,000 images, 0.2-0.5 s (the sort keys, and the filter's columns in that order)
        that the drawing thread no longer waits for; the list keeps the old order till then.
        ``keep_key``: the image the cursor goes to (rows of a new load), else its own."""
        prepared = _prepared(loaded, sort, self.backend)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Resorted(loaded, prepared, order, keep_key))

    def on_main_screen_resorted(self, message: Resorted) -> None:
        if message.loaded is not self.loaded or message.order != self.query_one(
                ImageList).order:
            return  # another load, or another order chosen since
        self._filter = message.prepared
        # After a sort, the cursor's row is the same object in the new table.
        self._apply_filter(keep_key=message.keep_key)

    @on(ImageList.ImageSelected)
    def _selected(self, event: ImageList.ImageSelected) -> None:
        from ecsimg.ui.screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(self.backend, event.row))

    # -- actions ---------------------------------------------------------------------------

    def disabled_reason(self, name: str, row: ImageRow | None = None,
                        marked: int | None = None) -> str:
        """Why the dialog ``name`` cannot be used now ('' when it can)."""
        image_list = self.query_one(ImageList)
        return dialog_disabled_reason(
            self.backend.session, name, image_list.current if row is None else row,
            len(image_list.marked) if marked is None else marked)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dialogs that cannot be used now (read-only, an image that cannot be shared) are
        shown disabled; their key says why."""
        if action == "dialog" and parameters and isinstance(parameters[0], str):
            return None if self.disabled_reason(parameters[0]) else True
        return True

    def on_key(self, event: events.Key) -> None:
        """Say why a disabled dialog key does nothing."""
        if self.focused is not None and isinstance(self.focused, Input):
            return
        for key_action in KEY_ACTIONS:
            if key_action.dialog and event.key in self.settings.keys_for(
                    key_action.action_id).split(","):
                reason = self.disabled_reason(key_action.dialog)
                if reason:
                    event.stop()
                    self.notify(t("main.key_disabled", what=t(f"key.{key_action.action_id}.name"),
                                  reason=reason), severity="warning", markup=False)
                return

    def action_dialog(self, name: str, row: ImageRow | None = None) -> None:
        """The one place every dialog key and palette entry goes through; ``row``: the image
        of the detail view, else the list's current one."""
        reason = self.disabled_reason(name, row, 0 if row is not None else None)
        if reason:
            self.notify(f"{reason[0].upper()}{reason[1:]}", severity="warning", markup=False)
            return
        factory = dialogs.factory_for(name)
        if factory is None:
            description = next(k.description for k in KEY_ACTIONS if k.dialog == name)
            self.notify(t("main.not_available", what=description),
                        severity="warning", markup=False)
            return
        image_list = self.query_one(ImageList)
        if row is not None:
            request = dialogs.DialogRequest(self.backend, self.settings, row, ())
        else:
            request = dialogs.DialogRequest(self.backend, self.settings, image_list.current,
                                            tuple(image_list.marked_rows()))
        self.app.push_screen(factory(request), callback=self._dialog_closed)

    def _dialog_closed(self, outcome: dialogs.DialogOutcome | None) -> None:
        # A dialog whose apply returns while the app is ending (SIGTERM mid-apply) closes
        # onto a screen whose widgets are already gone: there is nothing to show or reload.
        if outcome is None or not self.app.is_running:
            return
        if outcome.message:
            self.notify(outcome.message, markup=False)
        self._watched_tasks.update(outcome.task_ids)
        if outcome.clear_marks:
            self.query_one(ImageList).marked.clear()
        if outcome.filter_line is not None:
            self.apply_saved_filter(outcome.filter_line)
        if outcome.profile_name:
            self.switch_profile(outcome.profile_name)
        elif outcome.region_id:
            self.switch_region(outcome.region_id)
        elif outcome.reload:
            self.reload(focus_key=outcome.focus_key)

    async def run_key_action(self, action_id: str) -> None:
        """Run the action a key is bound to (the command palette calls this)."""
        key_action = BY_ID[action_id]
        if key_action.dialog:
            self.action_dialog(key_action.dialog)
        elif action_id.startswith("tab_"):
            self.action_tab(action_id.removeprefix("tab_"))
        elif action_id in ("help", "quit", "command_palette"):
            await self.app.run_action(action_id)
        elif hasattr(self, f"action_{action_id}"):
            await self.run_action(action_id)
        else:
            await self.query_one(ImageList).run_action(LIST_ACTIONS.get(action_id, action_id))

    def action_copy_id(self) -> None:
        row = self.query_one(ImageList).current
        if row is not None:
            self.app.copy_to_clipboard(row.image_id)
            self.notify(t("main.copied", image=row.image_id), markup=False)

    # The screens below are imported when first opened: at start-up they would cost the
    # first rows 35 ms.

    def action_tasks(self) -> None:
        from ecsimg.ui.screens.tasks import TasksScreen

        self.app.push_screen(TasksScreen(self.backend))

    def action_cost_dashboard(self) -> None:
        from ecsimg.ui.screens.costs import CostDashboard

        self.app.push_screen(CostDashboard(self.backend, self.query_one(ImageList).marked))

    def action_compare(self) -> None:
        from ecsimg.ui.screens.compare import CompareScreen, compare_pair

        pair = compare_pair(self.query_one(ImageList))
        if isinstance(pair, str):
            self.notify(pair, severity="warning", markup=False)
        else:
            self.app.push_screen(CompareScreen(self.backend, *pair))

    def action_export_list(self) -> None:
        from ecsimg.ui.screens.export import ExportDialog

        image_list = self.query_one(ImageList)
        self.app.push_screen(ExportDialog(self.backend, image_list.marked_rows(),
                                          unchanging(image_list.rows)))

    @on(ImageList.MarksChanged)
    def _marks_changed(self) -> None:
        self._show_header()
        self._refresh_bindings_if_changed()

    def _refresh_bindings_if_changed(self) -> None:
        """Refresh the footer only when a dialog key's state changed: a refresh recomposes the
        footer and lays the screen out again, which repaints far more than a cursor move."""
        state = tuple(bool(self.disabled_reason(name)) for name in sorted(MUTATING_DIALOGS))
        if state != self._dialog_key_state:
            self._dialog_key_state = state
            self.refresh_bindings()

    def action_every_region(self) -> None:
        """Switch between the session's region and every region (the filter stays)."""
        self.set_every_region(not self.every_region)

    def set_every_region(self, on: bool) -> None:
        if on == self.every_region:
            return
        self.every_region = on
        image_list = self.query_one(ImageList)
        focus_key = image_list.current.key if image_list.current else None
        image_list.show_region = on
        self.query_one(TypeTabs).scope = t("main.every_region") if on else ""
        self.loaded = None
        image_list.set_rows([])
        self._show_header()
        self.notify(t("main.every_region_on") if on
                    else t("main.one_region", region=self.backend.session.region_id), markup=False,
                    timeout=3)
        self.reload(focus_key=focus_key)

    def action_refresh(self) -> None:
        self._refreshing = True
        self.reload(refresh=True)

    def action_open_details(self) -> None:
        self.query_one(ImageList).action_select()

    def switch_region(self, region_id: str) -> None:
        self.backend = self.backend.in_region(region_id)
        if self.every_region:  # a region chosen: the list shows that region again
            self.every_region = False
            self.query_one(ImageList).show_region = False
            self.query_one(TypeTabs).scope = ""
        self.query_one(ImageList).marked.clear()
        self._show_header()
        self.reload()
        self._refresh_cloud()

    def switch_profile(self, name: str) -> None:
        try:
            self.backend = self.backend.for_profile(name)
        except UnknownProfile:
            self.notify(t("main.unknown_profile", name=name), severity="error", markup=False)
            return
        self.query_one(ImageList).marked.clear()
        self.refresh_bindings()
        self._show_header()
        self.reload()

    def jump_to(self, key: str) -> None:
        """Show the image ``key`` (clearing the filter and tab if they hide it)."""
        image_list = self.query_one(ImageList)
        if image_list.move_to(key):
            return
        self.kind = "all"
        self.query_one("#filter", Input).value = ""
        self.filter_query = Query()
        self._apply_filter(keep_key=key)
        image_list.move_to(key)


def _prepared(loaded: RegionRows, sort: Callable[[Sequence[ImageRow]], Sequence[ImageRow]],
              backend: Backend) -> RowFilter:
    """``loaded``'s rows sorted and their filter, made by a worker, with what the screen
    reads first: every row matched (the empty filter)."""
    rows = sort(loaded.rows)
    prepared = RowFilter(rows, loaded.common_texts)
    prepared.matching(Query(), backend.now())
    return prepared
