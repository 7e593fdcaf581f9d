"""The main window's views in their layout: the sentence bar and word strip on top, the RNN,
attention and gradient panels in scrolling splitters, the race strip and the transport below, all
over one Timeline and one TokenSelection.

The window holds one. An animation export builds a private copy on a timeline of its own
(gui/export/snapshot.py), so it can draw every tick while the user's own view stays put."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QVBoxLayout, QWidget

from gui.views.panels.attention_panel import AttentionPanel
from gui.views.panels.gradient_panel import GradientPanel
from gui.views.panels.race_panel import RacePanel
from gui.views.panels.rnn_panel import RNNPanel
from gui.views.panels.scan_panel import ScanPanel
from gui.views.sentence_bar import SentenceBar
from gui.views.token_strip import TokenStrip
from gui.views.transport import TransportBar

# The narrowest the strips outside the scrolling panels may get, so the whole window (transport
# included) fits a 1024 px screen; without it, the race strip's columns set the window's minimum.
STRIP_MIN_WIDTH = 600
RNN_SHARE, ATTENTION_SHARE = 4, 5  # of the upper panels' width: attention shows seven maps
SETTLING_PASSES = 4  # layout passes a private copy takes before it is scrolled
# With the scan lane there are three rows of panels: rather than squeeze each below what its maps
# need, the panels then scroll (the race strip and transport stay in view).
ROWS_WITH_SCAN = (330, 280, 290)  # the rows' first heights when the lane appears
ROWS_WITH_SCAN_MIN_HEIGHT = sum(ROWS_WITH_SCAN)


class MainViews(QWidget):
    """Every view of a run, laid out as the window shows them."""

    def __init__(self, timeline, selection, sentence: str, parent=None):
        super().__init__(parent)
        self.sentence_bar = SentenceBar(sentence)
        self.token_strip = TokenStrip(timeline, selection)
        self.rnn_panel = RNNPanel(timeline, selection)
        self.attention_panel = AttentionPanel(timeline, selection)
        self.scan_panel = ScanPanel(timeline, selection)  # shown for runs with the scan lane
        self.gradient_panel = GradientPanel(timeline, selection)
        self.race_panel = RacePanel(timeline)
        self.transport = TransportBar(timeline)
        self._captions_shown = True
        self._build_layout()
        timeline.trace_changed.connect(self._on_timeline_trace_changed)

    def _build_layout(self) -> None:
        self.upper_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.upper_splitter.addWidget(self.rnn_panel)
        self.upper_splitter.addWidget(self.attention_panel)
        self.upper_splitter.setStretchFactor(0, RNN_SHARE)
        self.upper_splitter.setStretchFactor(1, ATTENTION_SHARE)
        self.upper_splitter.setSizes([100 * RNN_SHARE, 100 * ATTENTION_SHARE])  # whatever the hints
        self.panel_splitter = QSplitter(Qt.Orientation.Vertical)
        self.panel_splitter.addWidget(self.upper_splitter)
        self.panel_splitter.addWidget(self.scan_panel)
        self.panel_splitter.addWidget(self.gradient_panel)
        for index in range(3):
            self.panel_splitter.setStretchFactor(index, 1)
        self.panel_splitter.setSizes([520, 400, 400])
        self.panel_splitter.setChildrenCollapsible(False)
        # Maps keep room to name up to 40 words; a window too small for that scrolls the panels
        # (transport, race strip and sentence stay in view).
        self.panel_scroll = QScrollArea()
        self.panel_scroll.setWidget(self.panel_splitter)
        self.panel_scroll.setWidgetResizable(True)
        self.panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.sentence_bar)
        layout.addWidget(self.token_strip)
        layout.addWidget(self.panel_scroll, 1)
        layout.addWidget(self.race_panel)
        layout.addWidget(self.transport)
        for strip in (self.race_panel, self.sentence_bar, self.transport):
            strip.setMinimumWidth(STRIP_MIN_WIDTH)

    def _on_timeline_trace_changed(self, trace) -> None:
        with_scan = trace is not None and trace.scan is not None
        if with_scan == (self.panel_splitter.minimumHeight() > 0):
            return
        self.panel_splitter.setMinimumHeight(ROWS_WITH_SCAN_MIN_HEIGHT if with_scan else 0)
        if with_scan:
            self.panel_splitter.setSizes(list(ROWS_WITH_SCAN))

    @property
    def panels(self) -> tuple:
        """The panels that show the models' numbers (the scan lane's is hidden without a scan)."""
        return self.rnn_panel, self.attention_panel, self.scan_panel, self.gradient_panel

    def exportable(self) -> dict[str, dict[str, QWidget]]:
        """Export name -> widget, by kind ("plot", "panel"), in menu order."""
        plots: dict[str, QWidget] = {}
        for panel in self.panels:
            plots.update(panel.plots())
        return {"plot": plots,
                "panel": {"rnn-panel": self.rnn_panel, "attention-panel": self.attention_panel,
                          **({"scan-panel": self.scan_panel} if self.scan_panel.plots() else {}),
                          "gradient-panel": self.gradient_panel, "race-strip": self.race_panel}}

    @property
    def captions_shown(self) -> bool:
        return self._captions_shown

    def set_captions_shown(self, shown: bool) -> None:
        """Captions under the panel titles, or (on short screens) in the titles' tooltips."""
        self._captions_shown = shown
        for panel in self.panels:
            panel.set_caption_shown(shown)

    def copy_view_of(self, other: MainViews) -> None:
        """Look as `other` looks apart from the run and the tick: the same sentence text, head,
        captions, splitter sizes and speed. (The scroll position needs the final size first:
        copy_scroll_of.)"""
        self.sentence_bar.set_sentence(other.sentence_bar.sentence)
        self.sentence_bar.copy_notes_of(other.sentence_bar)
        self.attention_panel.show_head(other.attention_panel.head)
        self.scan_panel.show_difference(other.scan_panel.showing_difference)
        self.set_captions_shown(other.captions_shown)
        self.upper_splitter.setSizes(other.upper_splitter.sizes())
        self.panel_splitter.setSizes(other.panel_splitter.sizes())
        self.transport.set_speed(other.transport.speed_box.value())

    def copy_scroll_of(self, other: MainViews) -> None:
        """Scroll the panels as `other`'s are scrolled (the same share of the way), once this has
        its size (before that the scroll bars have no range, and every value is clamped to 0)."""
        # The scroll area learns its content's size from posted layout requests: take them now.
        # Maps that keep their words named ask for room after each pass, so a few passes settle.
        for _ in range(SETTLING_PASSES):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        ours, theirs = self.panel_scroll, other.panel_scroll
        for mine, source in ((ours.verticalScrollBar(), theirs.verticalScrollBar()),
                             (ours.horizontalScrollBar(), theirs.horizontalScrollBar())):
            # The same share of the way down: a map's room can settle a few pixels apart.
            share = source.value() / source.maximum() if source.maximum() > 0 else 0.0
            mine.setValue(round(share * mine.maximum()))
