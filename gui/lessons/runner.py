"""Walks a lesson: applies a step's actions to the window through its AppState and public methods,
and undoes them on Back. A step that starts a run finishes its tick and pin once the trace arrives.

Before each step the runner records what the step may change (sentence, config, weights, tick,
pinned word, highlight, which labs are shown); Back puts exactly that back. Leaving keeps the view
the lesson set up. A step with a preset runs on random weights (a preset fixes the widths), unless
it asks for the training lab's trained ones; those may first be read from files on a worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from engine.core.config import SimConfig
from engine.core.errors import ConfigError
from gui.jobs import job_manager
from gui.lessons.files import FINAL_TICK, LAST_WORD, Lesson, Step
from gui.lessons.highlight import PanelHighlight
from gui.lessons.trained_weights import (NONE_TRAINED, STILL_TRAINING, TrainedModels, from_lab,
                                         kept_folder, kept_pairs, load_pair)
from gui.resources import preset_named


@dataclass(frozen=True)
class ViewState:
    """What a step may change, to put back on Back."""

    sentence: str
    config: object  # SimConfig, or None before the first run
    weights: object  # the WeightSet the window's runs use, None for random ones
    tick: int
    pinned: object  # a word's index, -1 for none, or LAST_WORD
    highlight: str | None
    labs_shown: frozenset  # the lab windows on screen ("cost-lab", ...)


LAB_OPENERS = {"cost-lab": "show_cost_lab", "training-lab": "show_training_lab",
               "deer-lab": "show_deer_lab"}
LAB_WINDOWS = {"cost-lab": "cost_lab", "training-lab": "training_lab", "deer-lab": "deer_lab"}


class LessonRunner(QObject):
    """One lesson at a time on one window; `settled` says a step's view is complete."""

    step_changed = Signal(int)  # the step now shown (0-based), also after Back
    settled = Signal()  # the step's run (if any) has arrived and its tick and pin are applied
    failed = Signal(str)  # the step's run was rejected or cancelled; the message says so
    ended = Signal()  # the lesson was left

    def __init__(self, window, parent: QObject | None = None):
        super().__init__(parent or window)
        self.window = window
        self.highlight = PanelHighlight(window.views, panels_of(window))
        self.lesson: Lesson | None = None
        self.index = -1
        self._before: list[ViewState] = []  # _before[i]: the view before step i was applied
        self._waiting_view = None  # (tick, pinned) to apply once the requested run arrives
        self._listening = False
        self._requested = None  # (sentence, config) of the step's run, to know it when it lands
        self._loading = None  # the job reading kept trained models for a step
        self.trained: TrainedModels | None = None  # the trained weights a step last used
        self.weights_problem = ""  # why a step that asked for trained weights runs on random ones

    def _listen_to_runs(self) -> None:
        """Connect to the window's runs on first use, after the window's own slots: a new
        sentence's trace is put on screen (and set playing) before the step's tick and pin."""
        if not self._listening:
            runner = self.window.runner
            runner.finished.connect(self._on_runner_finished)
            runner.failed.connect(self._on_runner_failed)
            runner.cancelled.connect(self._on_runner_cancelled)
            self._listening = True

    # -- walking --------------------------------------------------------------------------------
    @property
    def waiting(self) -> bool:
        """True while a step's run (or its trained weights) is under way and its tick and pin
        wait for it."""
        return self._waiting_view is not None

    @property
    def step(self) -> Step | None:
        return self.lesson.steps[self.index] if self.lesson and self.index >= 0 else None

    def start(self, lesson: Lesson, step: int = 0) -> None:
        """Begin `lesson` and walk forward to `step` (clamped), applying every step on the way."""
        self.leave()
        self._listen_to_runs()
        self.weights_problem = ""
        self.lesson, self.index, self._before = lesson, -1, []
        target = max(0, min(step, len(lesson.steps) - 1))
        for _ in range(target + 1):
            self._before.append(self.capture())
            self.index += 1
            self._apply_actions(self.step, final=self.index == target)
        self.step_changed.emit(self.index)

    def next(self) -> bool:
        if self.lesson is None or self.index >= len(self.lesson.steps) - 1:
            return False
        self._before.append(self.capture())
        self.index += 1
        self.weights_problem = ""
        self._apply_actions(self.step)
        self.step_changed.emit(self.index)
        return True

    def back(self) -> bool:
        if self.lesson is None or self.index <= 0:
            return False
        self.weights_problem = ""
        self.restore(self._before.pop())
        self.index -= 1
        self.step_changed.emit(self.index)
        return True

    def leave(self) -> None:
        """End the lesson; the sentence, parameters, tick and pin it set stay on screen."""
        was_running = self.lesson is not None
        self.stop_loading()
        self.lesson, self.index, self._before = None, -1, []
        self.highlight.show_panel(None)
        if was_running:
            self.ended.emit()

    # -- the view a step changes ----------------------------------------------------------------
    def capture(self) -> ViewState:
        state = self.window.state
        pending = self._waiting_view  # a run still on its way: its tick and pin are the view's
        tick = pending[0] if pending else state.timeline.tick
        pinned = pending[1] if pending else state.selection.pinned
        return ViewState(state.sentence, state.config, self.window.weight_actions.current, tick,
                         pinned, self.highlight.panel,
                         frozenset(name for name, lab in self._labs().items() if lab.isVisible()))

    def _labs(self) -> dict:
        """The lab windows made so far, by their lesson name."""
        labs = {name: getattr(self.window, attribute, None)
                for name, attribute in LAB_WINDOWS.items()}
        return {name: lab for name, lab in labs.items() if lab is not None}

    def restore(self, view: ViewState) -> None:
        """Put `view` back: a new run when its sentence, config or weights differ, then tick
        and pin."""
        self.stop_loading()
        self.highlight.show_panel(view.highlight)
        for name, lab in self._labs().items():
            if lab.isVisible() and name not in view.labs_shown:
                lab.close()
        if view.config is None:  # before the window's first run: nothing to run back to
            self._waiting_view = None
            return
        self.window.weight_actions.choose(view.weights)
        self._show(view.sentence, view.config, view.tick, view.pinned)

    def _apply_actions(self, step: Step, final: bool = True) -> None:
        if final:
            self.stop_loading()  # models still being read for the step left behind
        state = self.window.state
        sentence, config = state.sentence, state.config
        if step.has("preset"):
            preset = preset_named(step.value("preset"))
            seed = config.seed if config is not None else SimConfig().seed
            config = SimConfig().replace(**preset.values, seed=seed)
            sentence = preset.sentence
        if step.has("scan"):
            config = (config or SimConfig()).replace(scan=step.value("scan"))
        sentence = step.value("sentence", sentence)
        before = self._waiting_view or (state.timeline.tick, state.selection.pinned)
        tick = step.value("tick", before[0])
        pinned = step.value("pin", before[1])
        if step.has("highlight"):
            self.highlight.show_panel(step.value("highlight"))
        if step.has("open") and final:
            getattr(self.window, LAB_OPENERS[step.value("open")])()
        pinned = -1 if pinned is None else pinned
        weights = step.value("weights", "random" if step.has("preset") else None)
        if weights == "trained" and final:
            self._show_trained(step.value("sentence"), sentence, config, tick, pinned)
            return
        if weights is not None:
            self.window.weight_actions.choose(None)
        self._show(sentence, config, tick, pinned)

    # -- trained weights ------------------------------------------------------------------------
    def _show_trained(self, own_sentence, sentence: str, config, tick, pinned) -> None:
        """Run on the training lab's models (its last run, else the newest kept pair, read on a
        worker), on the step's sentence or one of their task; random weights, said plainly,
        when there are none."""
        self.stop_loading()
        lab = self.window.training_lab
        busy = lab is not None and lab.runner.busy
        problem = ""
        try:
            found = None if busy else from_lab(lab)
        except ValueError as error:
            found, problem = None, f"Random weights: {error}"
        if found is not None:
            self._use_trained(found, own_sentence, sentence, config, tick, pinned)
            return
        pairs = kept_pairs(kept_folder(self.window.settings))
        if not pairs:
            self._use_random(problem or (STILL_TRAINING if busy else NONE_TRAINED), sentence,
                             config, tick, pinned)
            return
        state = self.window.state
        before = (state.sentence, state.config, self.window.weight_actions.current)
        fallback = (own_sentence, sentence, config)
        self._waiting_view, self._requested = (tick, pinned), None
        self._loading = job_manager().submit(
            lambda _context: load_pair(*pairs[0], lab_busy=busy), name="lesson-trained-weights",
            owner=self, on_result=lambda models: self._on_trained_loaded(models, before, fallback),
            on_error=lambda error: self._on_trained_failed(error, fallback))

    def _on_trained_loaded(self, models: TrainedModels, before: tuple, fallback: tuple) -> None:
        (tick, pinned), self._waiting_view, self._loading = self._waiting_view, None, None
        state, current = self.window.state, self.window.weight_actions.current
        if (state.sentence, state.config) != before[:2] or not same_weights(current, before[2]):
            self.failed.emit("Another run replaced this step's; the view shows that run.")
            return  # the user ran something else while the models were read: theirs stays
        own_sentence, sentence, config = fallback
        self._use_trained(models, own_sentence, sentence, config, tick, pinned)

    def _on_trained_failed(self, error: BaseException, fallback: tuple) -> None:
        (tick, pinned), self._waiting_view, self._loading = self._waiting_view, None, None
        _own_sentence, sentence, config = fallback
        self._use_random(f"Random weights: the trained models kept for the simulator could not "
                         f"be read ({error}).", sentence, config, tick, pinned)

    def _use_trained(self, found: TrainedModels, own_sentence, sentence: str, config, tick,
                     pinned) -> None:
        try:
            trained_config = (config or SimConfig()).replace(**found.weights.config_fields)
        except ConfigError as error:
            self._use_random(f"Random weights: the trained models cannot run here ({error}).",
                             sentence, config, tick, pinned)
            return
        self.trained, self.weights_problem = found, ""
        self.window.weight_actions.choose(found.weights)
        self._show(own_sentence or found.sentence, trained_config, tick, pinned)

    def _use_random(self, problem: str, sentence: str, config, tick, pinned) -> None:
        """Random weights instead, with the seed's own word vectors (a step about what training
        gives must not show GloVe's as if they were random), and why."""
        self.weights_problem = problem
        self.window.weight_actions.choose(None)
        self._show(sentence, (config or SimConfig()).replace(word_vectors="random"), tick, pinned)

    def look_again(self) -> bool:
        """Apply the step's trained weights afresh (after training, say); False when the step
        asks for none or they are being read."""
        step = self.step
        if step is None or step.value("weights") != "trained" or self._loading is not None:
            return False
        self._apply_actions(step)
        self.step_changed.emit(self.index)
        return True

    @property
    def loading_trained(self) -> bool:
        """True while a step's trained models are being read from their files."""
        return self._loading is not None

    def stop_loading(self) -> None:
        """Drop trained models still being read: the lesson moved on, or the window closes."""
        if self._loading is not None:
            self._loading.discard()
            self._loading = None
            self._waiting_view = None

    def _show(self, sentence: str, config, tick, pinned: int) -> None:
        """Run `sentence` with `config` unless they are on screen already, then tick and pin."""
        state, weights = self.window.state, self.window.weight_actions
        self.window.transport.pause()  # a lesson looks at one moment; Space plays on from it
        if sentence == state.sentence and config == state.config and state.timeline.trace \
                and same_weights(weights.current, weights.shown):
            if not self.waiting:
                self._apply_view(tick, pinned)
                self.settled.emit()
            else:  # the run on its way is the one wanted: only the view it lands on changes
                self._waiting_view = (tick, pinned)
            return
        self._waiting_view = (tick, pinned)
        self._requested = (sentence, config)
        state.request_run(sentence, config)
        if not self.window.runner.busy:  # the window refused the run and said why
            self._waiting_view = None
            self.failed.emit("The window could not run this step's sentence; see its message.")

    def _apply_view(self, tick, pinned: int) -> None:
        timeline, selection = self.window.timeline, self.window.selection
        timeline.set_tick(timeline.last_tick if tick == FINAL_TICK else tick)
        if pinned == LAST_WORD:
            pinned = timeline.length - 1
        selection.set_pinned(pinned if 0 <= pinned < timeline.length else None)

    # -- runs ------------------------------------------------------------------------------------
    def _on_runner_finished(self, _trace) -> None:
        """Connected after the window's own handler, so the trace is on screen when this runs."""
        if self._waiting_view is None or self._loading is not None:
            return
        state = self.window.state
        sentence, config = self._requested  # config None: whatever parameters were shown
        if state.sentence != sentence or config not in (None, state.config):  # the user ran
            self._waiting_view = None  # something else
            self.failed.emit("Another run replaced this step's; the view shows that run.")
            return
        (tick, pinned), self._waiting_view = self._waiting_view, None
        self.window.transport.pause()
        self._apply_view(tick, pinned)
        self.settled.emit()

    def _on_runner_failed(self, message: str, _field: str) -> None:
        if self._waiting_view is not None and self._loading is None:
            self._waiting_view = None
            self.failed.emit(f"This step's run was rejected: {message}")

    def _on_runner_cancelled(self) -> None:
        if self._waiting_view is not None and self._loading is None:
            self._waiting_view = None
            self.failed.emit("This step's run was cancelled; the view shows the last good run.")


def same_weights(first, second) -> bool:
    """Whether two WeightSets (None: random from the seed) give the same runs."""
    if first is None or second is None:
        return first is second
    return first is second or first.digest() == second.digest()


def panels_of(window) -> dict:
    """Highlightable panel name -> widget, for the names lesson files use."""
    return {"sentence": window.sentence_bar, "tokens": window.token_strip,
            "rnn": window.rnn_panel, "attention": window.attention_panel,
            "scan": window.views.scan_panel, "gradient": window.gradient_panel, "race": window.race_panel,
            "transport": window.transport}
