"""Controls laid out so people can read and move them: labels that wrap, sliders with room per step.

ipywidgets cuts a control's ``description`` to one line with an ellipsis ("Employee experience &
internal cust…"), and a slider's track shares a fixed width with its label and readout, so a slider
of 40 steps may get 130 pixels: too little to move it one step with the mouse. Here the label is a
widget of its own beside the control, whose text wraps, and a slider's width follows its number
of steps. The questionnaire and the explorer both lay their controls out with these.
"""

from __future__ import annotations

import html
import math

import ipywidgets as w

LABEL_WIDTH = "20em"  # the label column; a longer label wraps onto more lines, it is never cut
PX_PER_STEP = 6  # pixels of track per slider step (4 is about the least a mouse can hit one step with)
MIN_TRACK_PX = 240  # a slider of few steps still gets a track of this length
READOUT_PX = 90  # the value printed after the track, and the margins around both (measured in Chromium)


def label(text: str, width: str = LABEL_WIDTH) -> w.HTML:
    """A label that shows its whole text, wrapping within ``width``."""
    box = w.HTML(f'<div class="cx-label-text" style="white-space: normal; overflow-wrap: anywhere; line-height: 1.3; '
                 f'padding: 4px 8px 4px 0">{html.escape(text)}</div>',
                 layout=w.Layout(width=width, min_width=width))
    box.add_class("cx-label")
    return box


def labelled(text: str, control: w.Widget, width: str = LABEL_WIDTH) -> w.HBox:
    """``control`` with ``text`` beside it as a wrapping label (the control's own description is left empty)."""
    if hasattr(control, "description"):
        control.description = ""
    if hasattr(control, "tooltip") and not control.tooltip:
        control.tooltip = text
    return w.HBox([label(text, width), control], layout=w.Layout(align_items="center"))


def slider_steps(slider: w.FloatSlider | w.IntSlider) -> int:
    """How many steps a slider's range holds."""
    return int(round((slider.max - slider.min) / slider.step))


def track_px(steps: int) -> int:
    """The track length that gives each of ``steps`` at least ``PX_PER_STEP`` pixels."""
    return max(MIN_TRACK_PX, math.ceil(steps * PX_PER_STEP))


def sized(slider: w.FloatSlider | w.IntSlider) -> w.FloatSlider | w.IntSlider:
    """``slider`` made wide enough for its steps (track plus readout; its label stands beside it)."""
    width = f"{track_px(slider_steps(slider)) + READOUT_PX}px"
    slider.layout.width = width
    slider.layout.min_width = width
    slider.style.description_width = "0px"
    return slider
