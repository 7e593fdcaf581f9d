"""The help texts: the guide to the view (Help → What am I looking at?) and the About box."""

from __future__ import annotations

from engine import __version__

APP_TITLE = "RNN vs Transformer"

GUIDE = """<h3>What am I looking at?</h3>
<p>Both models read the same sentence. Each word is a vector of D numbers.</p>
<p><b>Forward phase</b> (ticks 1 to n): the <span style="color:#d95f02">RNN</span> reads one word per
tick; its hidden state (left) grows one row at a time because each row needs the one before.
<span style="color:#1b73b3">Self-attention</span> (right) computes Q, K, V, the n × n scores and
the softmax weights for every word in its first tick, then waits.</p>
<p><b>Backward phase</b> (ticks n+1 to 2n): the gradient of the last word's output travels back.
Through the RNN it passes one word per tick and usually shrinks on the way (vanishing gradients;
with large recurrent weights it can grow instead); through attention it reaches every word in one
hop.</p>
<p>The race strip counts sequential operations (n vs 1), the longest path between two words
(n−1 vs 1), multiply-adds and the time the engine measured.</p>
<p>Hover any word, row, column or point to see it highlighted everywhere with its exact value;
click to pin it. Keys: Space play/pause, ←/→ step, Home/End.</p>
<p>File → Export saves any plot, panel or the window as PNG or SVG, the animation as GIF, and the
numbers as CSV or .npz; right-click a plot for the same. View → Cost lab measures both models over
growing sentence lengths on this machine, beside Table 1 of Vaswani et al. View → Training lab
trains RNNs and a Transformer side by side on the same task and plots their loss, accuracy and
gradients live.</p>
<p><b>Help → Lessons</b> (Shift+F1) walks through the story one step at a time: each step sets up
the view it talks about and outlines the panel to look at. In a lesson, Alt+→ goes to the next
step, Alt+← back to the one before (undoing what the next one changed), Alt+Shift+L leaves the
lesson and keeps its view.</p>"""


def about_text() -> str:
    """The About box: name, version, what the app shows and what its weights are."""
    return (f"<b>{APP_TITLE}</b> version {__version__}<p>An RNN run one word at a time and "
            "self-attention run all at once on the same sentence, with real gradients and "
            "measured cost.</p><p>By default every weight is random and untrained (fixed by the "
            "seed): the patterns show how information and gradients flow, not what the words "
            "mean. File → Open weights… runs the models on weights from a file instead.</p>")
