"""The sentence bar: an editable sentence with sample sentences, a Run button, a note that the weights
are random and untrained, and an inline message for input the engine cannot run. Enter runs."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.core.config import MAX_TOKENS
from gui import style
from gui.resources import sample_sentences


RANDOM_WEIGHTS_NOTE = "random, untrained weights"
RANDOM_WEIGHTS_TIP = ("Every weight and word vector is drawn at random from the seed; nothing was "
                      "trained. The numbers show how information and gradients flow through each "
                      "model, not what the words mean.")
FILE_WEIGHTS_TIP = ("The models' weights were read from a weight file (File → Open weights…); "
                    "the word vectors still come from the seed. File → Use random weights goes back.")

class SentenceBar(QWidget):
    run_requested = Signal(str)

    def __init__(self, sentence: str, parent=None):
        super().__init__(parent)
        self.editor = QComboBox()
        self.editor.setEditable(True)
        self.editor.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # Sized by a short sentence, not the longest sample, so the window fits small screens.
        self.editor.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.editor.setMinimumContentsLength(24)
        self.editor.addItems(sample_sentences())
        self.editor.setCurrentText(sentence)
        self.editor.lineEdit().setPlaceholderText("Type a sentence and press Enter")
        self.editor.setToolTip(f"The sentence both models read: words and punctuation, at most "
                               f"{MAX_TOKENS} of them. Pick a sample from the list or type your own.")
        self.editor.lineEdit().returnPressed.connect(self._on_run)
        self.editor.activated.connect(lambda _index: self._on_run())
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Run both models on the sentence (Enter)")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self._on_run)
        self.weights_note = QLabel(RANDOM_WEIGHTS_NOTE)
        style.colour_text(self.weights_note, "muted", "font-style: italic;")
        self.weights_note.setToolTip(RANDOM_WEIGHTS_TIP)
        self.message = QLabel("")
        style.colour_text(self.message, "error")
        self.message.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sentence"))
        row.addWidget(self.editor, 1)
        row.addWidget(self.run_button)
        row.addWidget(self.weights_note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)

    @property
    def sentence(self) -> str:
        return self.editor.currentText()

    def set_sentence(self, sentence: str) -> None:
        self.editor.setCurrentText(sentence)

    def show_weights(self, source: str, random: bool) -> None:
        """Say where the shown run's weights came from (random ones say they are untrained)."""
        self.weights_note.setText(RANDOM_WEIGHTS_NOTE if random else f"weights: {source}")
        self.weights_note.setToolTip(RANDOM_WEIGHTS_TIP if random else FILE_WEIGHTS_TIP)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def copy_notes_of(self, other: SentenceBar) -> None:
        """Show the weights note and the message `other` shows."""
        self.weights_note.setText(other.weights_note.text())
        self.weights_note.setToolTip(other.weights_note.toolTip())
        self.show_message(other.message.text())

    def _on_run(self) -> None:
        self.run_requested.emit(self.sentence)
