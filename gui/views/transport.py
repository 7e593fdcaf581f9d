"""The transport bar: reset, step back, play/pause, step forward, speed, scrubber, tick readout.

Play is a QTimer that moves the shared Timeline; the bar only writes through the Timeline's setters.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QDoubleSpinBox, QHBoxLayout, QLabel, QSlider,
                               QToolButton, QWidget)

from engine.core import clock

from gui import style

DEFAULT_SPEED = 2.0  # ticks per second


class TransportBar(QWidget):
    playing_changed = Signal(bool)

    def __init__(self, timeline, parent=None):
        super().__init__(parent)
        self._timeline = timeline
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.reset_button = self._button("Back to the start (Home)", timeline.go_start)
        self.back_button = self._button("One tick back (←)", timeline.step_back)
        self.play_button = self._button("Play / pause (Space)", self.toggle_play)
        self.forward_button = self._button("One tick forward (→)", timeline.step_forward)
        self.end_button = self._button("Jump to the end (End)", timeline.go_end)
        self.speed_box = QDoubleSpinBox()
        self.speed_box.setRange(0.25, 60.0)
        self.speed_box.setSingleStep(0.5)
        self.speed_box.setDecimals(2)
        self.speed_box.setSuffix(" ticks/s")
        self.speed_box.setValue(DEFAULT_SPEED)
        self.speed_box.setToolTip("Playback speed in ticks per second")
        self.speed_box.valueChanged.connect(self._on_speed_box_changed)
        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setToolTip("Drag to any tick: forward phase first, then the backward phase")
        self.scrubber.valueChanged.connect(timeline.set_tick)
        self.tick_label = QLabel(clock.describe(0, 0))
        self.tick_label.setMinimumWidth(220)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for button in (self.reset_button, self.back_button, self.play_button, self.forward_button,
                       self.end_button):
            layout.addWidget(button)
        layout.addWidget(self.speed_box)
        layout.addWidget(self.scrubber, 1)
        layout.addWidget(self.tick_label)
        timeline.trace_changed.connect(self._on_timeline_trace_changed)
        timeline.step_changed.connect(self._on_timeline_step_changed)
        self._on_timeline_trace_changed(timeline.trace)
        self._draw_icons()

    def _button(self, tip: str, slot) -> QToolButton:
        button = QToolButton()
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    @property
    def tick_interval_ms(self) -> int:
        """Milliseconds between ticks while playing."""
        return self._timer.interval()

    def set_speed(self, ticks_per_second: float) -> None:
        self.speed_box.setValue(ticks_per_second)

    def play(self) -> None:
        if self._timeline.trace is None or self.playing:
            return
        if self._timeline.at_end:  # play from the end starts over, as media players do
            self._timeline.go_start()
        self._timer.start(self._interval_ms())
        self._update_play_button()

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self._update_play_button()

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def _interval_ms(self) -> int:
        return max(1, round(1000.0 / self.speed_box.value()))

    def _draw_icons(self) -> None:
        """Icons in the palette's button text colour (the style's own stay dark on a dark one)."""
        palette = QApplication.palette(self.play_button)
        for button, shape in ((self.reset_button, "skip_backward"),
                              (self.back_button, "seek_backward"),
                              (self.play_button, "pause" if self.playing else "play"),
                              (self.forward_button, "seek_forward"),
                              (self.end_button, "skip_forward")):
            button.setIcon(style.media_icon(shape, palette))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in style.PALETTE_EVENTS and self.__dict__.get("end_button") is not None:
            self._draw_icons()

    def _update_play_button(self) -> None:
        self._draw_icons()  # play or pause
        self.playing_changed.emit(self.playing)

    def _on_timer_timeout(self) -> None:
        self._timeline.step_forward()
        if self._timeline.at_end:
            self.pause()

    def _on_speed_box_changed(self, _value: float) -> None:
        if self.playing:
            self._timer.setInterval(self._interval_ms())

    def _on_timeline_trace_changed(self, trace) -> None:
        enabled = trace is not None
        for widget in (self.reset_button, self.back_button, self.play_button, self.forward_button,
                       self.end_button, self.scrubber):
            widget.setEnabled(enabled)
        with QSignalBlocker(self.scrubber):
            self.scrubber.setRange(0, self._timeline.last_tick)
        if not enabled:
            self.pause()

    def _on_timeline_step_changed(self, tick: int) -> None:
        with QSignalBlocker(self.scrubber):
            self.scrubber.setValue(tick)
        self.tick_label.setText(clock.describe(tick, self._timeline.length))
